package dev.jbpf.testing;

import dev.jbpf.LoadedObject;
import dev.jbpf.map.Codec;

/** The slots of net.bpf.o's {@code counters} array (its {@code enum counter}). Test code. */
public enum NetCounters {
    XDP_PACKETS(0),
    XDP_DROPPED(1),
    TC_INGRESS_PACKETS(2),
    TC_EGRESS_PACKETS(3),
    CGROUP_INGRESS_PACKETS(4),
    CGROUP_INGRESS_BYTES(5),
    CGROUP_EGRESS_PACKETS(6),
    CGROUP_EGRESS_BYTES(7),
    SOCKETS_DENIED(8),
    CGROUP_SKB_PACKETS(9);

    private final int slot;

    NetCounters(int slot) {
        this.slot = slot;
    }

    /** This counter's value in the loaded net.bpf.o. */
    public long in(LoadedObject net) {
        return net.map("counters").typed(Codec.INT, Codec.LONG).get(slot).orElseThrow();
    }
}
