package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The networking attach points as values: checks, descriptions, hints. No privileges needed. */
@UnitTest
class NetAttachPointsTest {
    @Test
    void interfaceNamesAndIndexesAreCheckedInJava() {
        assertThrows(IllegalArgumentException.class, () -> NetInterface.named(""));
        assertThrows(IllegalArgumentException.class, () -> NetInterface.named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> NetInterface.named("sixteen-chars-xx"));
        assertThrows(NullPointerException.class, () -> NetInterface.named(null));
        assertThrows(IllegalArgumentException.class, () -> NetInterface.ofIndex(0));
        assertEquals("eth0", NetInterface.named("eth0").toString());
        assertEquals("ifindex 7", NetInterface.ofIndex(7).toString());
        assertEquals(7, NetInterface.ofIndex(7).index());
        assertNull(NetInterface.ofIndex(7).name());
        assertEquals(NetInterface.named("eth0"), NetInterface.named("eth0"));
    }

    @Test
    void namesResolveInThisNamespace() {
        assertTrue(NetInterface.named("lo").index() > 0);
        BpfNotFoundException missing = assertThrows(BpfNotFoundException.class,
                () -> NetInterface.named("jbpf-none0").index());
        assertEquals("find network interface jbpf-none0: no network interface has this name in this network namespace",
                missing.getMessage());
    }

    @Test
    void descriptionsSayWhere() {
        assertEquals("xdp on eth0", new Xdp("eth0").describe());
        assertEquals("xdp on ifindex 3 (skb mode)", new Xdp(3, Xdp.Mode.SKB).describe());
        assertEquals("xdp on eth0 replacing through netlink",
                new Xdp(NetInterface.named("eth0"), Xdp.Mode.DEFAULT, true).describe());
        assertEquals("tc ingress of eth0", new Tc("eth0", Tc.Direction.INGRESS).describe());
        assertEquals("tc egress of eth0 (clsact)", Tc.classic("eth0", Tc.Direction.EGRESS).describe());
        assertEquals("tc ingress of eth0 (tcx)", Tc.tcx("eth0", Tc.Direction.INGRESS).describe());
        assertEquals("cgroup /sys/fs/cgroup/a", new Cgroup(Path.of("/sys/fs/cgroup/a")).describe());
        assertEquals("cgroup /sys/fs/cgroup/a (inet_egress)",
                new Cgroup(Path.of("/sys/fs/cgroup/a"), Cgroup.AttachType.INET_EGRESS).describe());
        assertEquals(new Xdp("eth0"), new Xdp(NetInterface.named("eth0"), Xdp.Mode.DEFAULT, false));
    }

    @Test
    void nullsAreRefused() {
        assertThrows(NullPointerException.class, () -> new Xdp(null, Xdp.Mode.DEFAULT, false));
        assertThrows(NullPointerException.class, () -> new Xdp("eth0", null));
        assertThrows(NullPointerException.class, () -> new Tc("eth0", null));
        assertThrows(NullPointerException.class, () -> new Cgroup(null));
    }

    @Test
    void hintsForSectionsWithoutATarget() {
        assertTrue(AttachPoint.explicitAttachHint("xdp").orElseThrow().contains("new Xdp("));
        assertTrue(AttachPoint.explicitAttachHint("tc").orElseThrow().contains("new Tc("));
        assertTrue(AttachPoint.explicitAttachHint("tcx/ingress").orElseThrow().contains("new Tc("));
        assertTrue(AttachPoint.explicitAttachHint("cgroup_skb/egress").orElseThrow().contains("new Cgroup("));
        assertTrue(AttachPoint.explicitAttachHint("cgroup/sock_create").orElseThrow().contains("new Cgroup("));
        assertEquals(Optional.empty(), AttachPoint.explicitAttachHint("tracepoint/syscalls/sys_enter_openat"));
        assertEquals(Optional.empty(), AttachPoint.explicitAttachHint(null));
    }

    @Test
    void xdpModeFlagsAreTheKernels() {
        // linux/if_link.h
        assertEquals(0, Xdp.Mode.DEFAULT.flags());
        assertEquals(2, Xdp.Mode.SKB.flags());
        assertEquals(4, Xdp.Mode.DRV.flags());
        assertEquals(8, Xdp.Mode.HW.flags());
    }
}
