package dev.jbpf.tools.tcptrack;

import dev.jbpf.BpfException;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfRecordCodec;
import dev.jbpf.btf.BtfValueCodec;
import dev.jbpf.internal.TraceFs;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.map.TypedMap;
import dev.jbpf.tools.BundledObjects;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TCP connection tracker of {@code jbpf tcptrack}: loads one of the built-in tracker
 * objects (bpf-src/tcptrack_kprobe.bpf.c or tcptrack_tp.bpf.c, packaged in this module's jar,
 * see {@link BundledObjects}), attaches all its programs and reads the per-socket byte counters
 * from its {@code conns} hash map, decoded through the object's BTF ({@link BtfRecordCodec}).
 * Owns the loaded object (and through it every link and map fd); {@link #close()} detaches and
 * unloads. Not thread-safe beyond what {@link LoadedObject} allows.
 */
public final class TcpTracker implements AutoCloseable {
    /**
     * {@code struct tcp_conn} (bpf-src/tcptrack.h), bound by member name to the object's BTF: a
     * change of the C struct is an error at {@link #start}, not wrong numbers. Addresses in
     * network byte order (IPv4 in the first 4 bytes), ports in host byte order; {@code pad} has
     * no component (skipped). The {@code __u16} and {@code __u64} members keep their bits in
     * Java's signed types.
     */
    private record TcpConn(byte[] saddr, byte[] daddr, short family, short sport, short dport, long tx, long rx) {
    }

    /** The two ways of seeing a socket's traffic. */
    public enum Variant {
        /** kprobe and kretprobe on tcp_sendmsg, kprobe on tcp_cleanup_rbuf (the guide's tracker). */
        KPROBE("tcptrack_kprobe", "kprobes tcp_sendmsg (entry and return), tcp_cleanup_rbuf"),
        /** tracepoints sock:sock_send_length and sock:sock_recv_length (Linux 6.3+), no kprobes needed. */
        TRACEPOINT("tcptrack_tp", "tracepoints sock:sock_send_length, sock:sock_recv_length");

        private final String objectName;
        private final String source;

        Variant(String objectName, String source) {
            this.objectName = objectName;
            this.source = source;
        }

        /** kprobes where the kernel has them, else the tracepoints. */
        public static Variant forThisKernel() {
            return kernelHasKprobes() ? KPROBE : TRACEPOINT;
        }

        /** The name of the packaged object ({@link BundledObjects}), e.g. "tcptrack_tp". */
        public String objectName() {
            return objectName;
        }

        /** What its programs attach to, in words: "tracepoints sock:sock_send_length, sock:sock_recv_length". */
        public String source() {
            return source;
        }

        /** As the command line names it: "kprobe", "tracepoint". */
        public String displayName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One live connection as its socket sees it: local address and port first. Ports are in
     * host byte order; {@code socket} is the kernel's struct sock address (the map key). A value
     * in the Java heap.
     */
    public record Connection(long socket, InetAddress source, int sourcePort, InetAddress destination, int destinationPort,
                      long tx, long rx) {
        /** {@code saddr:sport -> daddr:dport  TX: n  RX: n} ({@code [addr]:port} for IPv6). */
        public String line() {
            return endpoint(source, sourcePort) + " -> " + endpoint(destination, destinationPort) + "  TX: " + tx + "  RX: " + rx;
        }

        private static String endpoint(InetAddress address, int port) {
            return address instanceof Inet6Address ? "[" + text(address) + "]:" + port : text(address) + ":" + port;
        }

        /** An address as people write it: IPv6 in RFC 5952's short form ("::1", not Java's "0:0:0:0:0:0:0:1"). */
        public static String text(InetAddress address) {
            if (!(address instanceof Inet6Address)) {
                return address.getHostAddress();
            }
            return dev.jbpf.internal.InetText.ipv6(address.getAddress());
        }
    }

    private final Variant variant;
    private final LoadedObject loaded;
    /** A view of the loaded object's {@code conns} map: shares (does not own) its fd. */
    private final TypedMap<Long, TcpConn> conns;

    private TcpTracker(Variant variant, LoadedObject loaded, TypedMap<Long, TcpConn> conns) {
        this.variant = variant;
        this.loaded = loaded;
        this.conns = conns;
    }

    /**
     * Loads the variant's object and attaches its programs; nothing stays loaded when this fails.
     * BpfException (one line) when this kernel lacks what the variant attaches to.
     */
    public static TcpTracker start(Variant variant) {
        if (variant == Variant.KPROBE && !kernelHasKprobes()) {
            throw new BpfException("tcptrack", "--variant kprobe",
                    "this kernel has no kprobes (CONFIG_KPROBES is off); use --variant tracepoint");
        }
        if (variant == Variant.TRACEPOINT
                && !TraceFs.eventsDir().map(events -> Files.isDirectory(events.resolve("sock/sock_send_length")))
                        .orElse(false)) {
            throw new BpfException("tcptrack", "--variant tracepoint",
                    "this kernel has no tracepoint sock:sock_send_length (it came in Linux 6.3); use --variant kprobe");
        }
        OpenedObject opened = BundledObjects.open(variant.objectName);
        BtfValueCodec<Long> keys;
        BtfRecordCodec<TcpConn> values;
        try {
            // bound to the types the map declares (__u64 key, struct tcp_conn value), before the
            // load: a mismatch leaves nothing in the kernel
            OpenedMap map = opened.map("conns");
            Btf btf = opened.btf();
            keys = BtfValueCodec.of(Long.class, btf, map.btfKeyTypeId());
            values = BtfRecordCodec.of(TcpConn.class, btf, map.btfValueTypeId());
        } catch (RuntimeException | Error e) {
            opened.close(); // load() would have taken it over; now nobody else will close it
            throw e;
        }
        LoadedObject loaded = opened.load();
        try {
            TypedMap<Long, TcpConn> conns = loaded.map("conns").typed(keys, values);
            loaded.attachAll();
            return new TcpTracker(variant, loaded, conns);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** The loaded object (owned by this tracker, closed by {@link #close()}): for closing it from a shutdown hook. */
    public LoadedObject object() {
        return loaded;
    }

    public Variant variant() {
        return variant;
    }

    /** The kernel ids of the tracker's programs. */
    public List<Integer> programIds() {
        return loaded.programs().stream().map(program -> program.id()).toList();
    }

    /** The connections that had traffic since the tracker started and are not closed, by local endpoint. */
    public List<Connection> connections() {
        List<Connection> result = new ArrayList<>();
        for (Map.Entry<Long, TcpConn> entry : conns.entries()) {
            Connection connection = connection(entry.getKey(), entry.getValue());
            if (connection != null) {
                result.add(connection);
            }
        }
        result.sort(Comparator.comparing((Connection c) -> Connection.text(c.source()))
                .thenComparingInt(Connection::sourcePort)
                .thenComparing(c -> Connection.text(c.destination()))
                .thenComparingInt(Connection::destinationPort));
        return result;
    }

    /** The connection of one map entry; null for a family other than IPv4 and IPv6. */
    private static Connection connection(long socket, TcpConn conn) {
        int addressBytes = switch (Short.toUnsignedInt(conn.family())) {
            case 2 -> 4;   // AF_INET
            case 10 -> 16; // AF_INET6
            default -> 0;
        };
        if (addressBytes == 0) {
            return null; // the programs store only IPv4 and IPv6 sockets
        }
        try {
            InetAddress source = InetAddress.getByAddress(Arrays.copyOf(conn.saddr(), addressBytes));
            InetAddress destination = InetAddress.getByAddress(Arrays.copyOf(conn.daddr(), addressBytes));
            return new Connection(socket, source, Short.toUnsignedInt(conn.sport()), destination,
                    Short.toUnsignedInt(conn.dport()), conn.tx(), conn.rx());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("tcptrack: bad address length", e); // cannot happen: 4 or 16 bytes
        }
    }

    /** As libbpf decides between kprobe PMU and legacy kprobe_events: either interface will do. */
    public static boolean kernelHasKprobes() {
        return Files.isDirectory(Path.of("/sys/bus/event_source/devices/kprobe"))
                || TraceFs.LOCATIONS.stream().anyMatch(root -> Files.exists(root.resolve("kprobe_events")));
    }

    @Override
    public void close() {
        loaded.close();
    }
}
