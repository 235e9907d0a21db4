package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.internal.TraceFs;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapEntry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The TCP connection tracker of {@code jbpf tcptrack}: loads one of the built-in tracker
 * objects (bpf-src/tcptrack_kprobe.bpf.c or tcptrack_tp.bpf.c, packaged in the CLI jar),
 * attaches all its programs and reads the per-socket byte counters from its {@code conns}
 * hash map. Owns the loaded object (and through it every link and map fd); {@link #close()}
 * detaches and unloads.
 */
final class TcpTracker implements AutoCloseable {
    /** Where the built-in BPF objects are packaged in the jar (cli/pom.xml copies them from build/bpf). */
    /** The layout of struct tcp_conn (bpf-src/tcptrack.h). */
    private static final int VALUE_SIZE = 56;

    /** The two ways of seeing a socket's traffic. */
    enum Variant {
        /** kprobe and kretprobe on tcp_sendmsg, kprobe on tcp_cleanup_rbuf (the guide's tracker). */
        KPROBE("tcptrack_kprobe", "kprobes tcp_sendmsg (entry and return), tcp_cleanup_rbuf"),
        /** tracepoints sock:sock_send_length and sock:sock_recv_length (Linux 6.3+), no kprobes needed. */
        TRACEPOINT("tcptrack_tp", "tracepoints sock:sock_send_length, sock:sock_recv_length");

        final String objectName;
        final String source;

        Variant(String objectName, String source) {
            this.objectName = objectName;
            this.source = source;
        }

        /** kprobes where the kernel has them, else the tracepoints. */
        static Variant forThisKernel() {
            return kernelHasKprobes() ? KPROBE : TRACEPOINT;
        }

        String displayName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One live connection as its socket sees it: local address and port first. Ports are in
     * host byte order; {@code socket} is the kernel's struct sock address (the map key).
     */
    record Connection(long socket, InetAddress source, int sourcePort, InetAddress destination, int destinationPort,
                      long tx, long rx) {
        /** {@code saddr:sport -> daddr:dport  TX: n  RX: n} ({@code [addr]:port} for IPv6). */
        String line() {
            return endpoint(source, sourcePort) + " -> " + endpoint(destination, destinationPort) + "  TX: " + tx + "  RX: " + rx;
        }

        private static String endpoint(InetAddress address, int port) {
            return address instanceof Inet6Address ? "[" + text(address) + "]:" + port : text(address) + ":" + port;
        }

        /** An address as people write it: IPv6 in RFC 5952's short form ("::1", not Java's "0:0:0:0:0:0:0:1"). */
        static String text(InetAddress address) {
            if (!(address instanceof Inet6Address)) {
                return address.getHostAddress();
            }
            byte[] bytes = address.getAddress();
            int[] groups = new int[8];
            for (int i = 0; i < 8; i++) {
                groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
            }
            int bestStart = -1;
            int bestLength = 1; // a single zero group is not shortened
            for (int i = 0; i < 8; i++) {
                int length = 0;
                while (i + length < 8 && groups[i + length] == 0) {
                    length++;
                }
                if (length > bestLength) {
                    bestStart = i;
                    bestLength = length;
                }
            }
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    text.append("::");
                    i += bestLength - 1;
                    continue;
                }
                if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                    text.append(':');
                }
                text.append(Integer.toHexString(groups[i]));
            }
            return text.toString();
        }
    }

    private final Variant variant;
    private final LoadedObject loaded;
    private final BpfMap conns;

    private TcpTracker(Variant variant, LoadedObject loaded) {
        this.variant = variant;
        this.loaded = loaded;
        this.conns = loaded.map("conns");
    }

    /** Loads the variant's object and attaches its programs; nothing stays loaded when this fails. */
    static TcpTracker start(Variant variant) {
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
        LoadedObject loaded = opened.load();
        try {
            loaded.attachAll();
            return new TcpTracker(variant, loaded);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** The loaded object (owned by this tracker): for closing it from a shutdown hook. */
    LoadedObject object() {
        return loaded;
    }

    Variant variant() {
        return variant;
    }

    /** The kernel ids of the tracker's programs. */
    List<Integer> programIds() {
        return loaded.programs().stream().map(program -> program.id()).toList();
    }

    /** The connections that had traffic since the tracker started and are not closed, by local endpoint. */
    List<Connection> connections() {
        List<Connection> result = new ArrayList<>();
        for (MapEntry entry : conns.entries()) {
            Connection connection = decode(entry.key(), entry.value());
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

    private static Connection decode(byte[] key, byte[] value) {
        if (value.length != VALUE_SIZE) {
            throw new IllegalStateException("tcptrack: map value of " + value.length + " bytes, expected " + VALUE_SIZE);
        }
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        int family = Short.toUnsignedInt(v.getShort(32));
        int addressBytes = switch (family) {
            case 2 -> 4;   // AF_INET
            case 10 -> 16; // AF_INET6
            default -> 0;
        };
        if (addressBytes == 0) {
            return null; // the programs store only IPv4 and IPv6 sockets
        }
        try {
            InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(value, 0, addressBytes));
            InetAddress destination = InetAddress.getByAddress(Arrays.copyOfRange(value, 16, 16 + addressBytes));
            long socket = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getLong();
            return new Connection(socket, source, Short.toUnsignedInt(v.getShort(34)), destination,
                    Short.toUnsignedInt(v.getShort(36)), v.getLong(40), v.getLong(48));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("tcptrack: bad address length", e); // cannot happen: 4 or 16 bytes
        }
    }

    /** As libbpf decides between kprobe PMU and legacy kprobe_events: either interface will do. */
    static boolean kernelHasKprobes() {
        return Files.isDirectory(Path.of("/sys/bus/event_source/devices/kprobe"))
                || TraceFs.LOCATIONS.stream().anyMatch(root -> Files.exists(root.resolve("kprobe_events")));
    }

    @Override
    public void close() {
        loaded.close();
    }
}
