package dev.jbpf.btf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.GlobalVariables;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.TypedMap;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Java records bound to BTF structs: decoding real kernel data (a ring buffer record of
 * opensnoop, a hash map with struct key and value filled by a tracepoint), round trips of
 * every supported kind, and the errors of bindings that do not match.
 */
@SuppressWarnings("try")
class BtfRecordCodecTest {
    record OpenEvent(int pid, int tid, int uid, int flags, String comm, String filename) {
    }

    record ConnKey(int saddr, int daddr, short sport, short dport) {
    }

    enum ConnState {
        CONN_ESTABLISHED, CONN_SYN_SENT, CONN_SYN_RECV, CONN_FIN_WAIT1, CONN_FIN_WAIT2, CONN_TIME_WAIT, CONN_CLOSE,
        CONN_CLOSE_WAIT, CONN_LAST_ACK, CONN_LISTEN, CONN_CLOSING, CONN_NEW_SYN_RECV
    }

    record ConnStats(long transitions, int pid, ConnState state, String comm) {
    }

    enum Mode { MODE_OFF, MODE_COUNT, MODE_TRACE }

    record Overlay(int as_int, byte[] as_bytes) {
    }

    /** struct globals_bits of globals.bpf.c: bitfields, a union, an anonymous struct, 2-D arrays. */
    record Bits(int low, int signed_field, boolean flag, Mode mode, Overlay u, short x, short y, int[][] grid,
            String[] names) {
    }

    private static int pid() {
        return (int) ProcessHandle.current().pid();
    }

    // ---- real kernel data -----------------------------------------------------------------------

    @Test
    @KernelTest
    void decodesOpensnoopRingBufferRecords() throws IOException {
        Path file = Files.createTempFile("jbpf-record-" + pid() + "-", ".txt");
        List<OpenEvent> ours = new ArrayList<>();
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("opensnoop")).load();
                BpfLink link = object.program("trace_openat").attach()) {
            BtfRecordCodec<OpenEvent> events = BtfRecordCodec.of(OpenEvent.class, object.btf(), "open_event");
            assertEquals(288, events.size());
            assertEquals("struct open_event", events.structName());
            try (RingBuffer ring = RingBuffer.builder().add(object.map("events"), events.handler(event -> {
                if (event.pid() == pid() && event.filename().equals(file.toString())) {
                    ours.add(event);
                }
            })).build()) {
                Files.readAllBytes(file);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (ours.isEmpty() && System.nanoTime() < deadline) {
                    ring.poll(Duration.ofMillis(100));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        assertFalse(ours.isEmpty(), "no ring buffer record of our open of " + file);
        OpenEvent event = ours.get(0);
        assertEquals(pid(), event.pid());
        assertNotEquals(0, event.tid());
        assertEquals(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue(), event.uid());
        assertEquals(0, event.flags() & 3, "opened for reading: O_RDONLY");
        assertFalse(event.comm().isEmpty());
        assertEquals(file.toString(), event.filename());
    }

    @Test
    @KernelTest
    void readsAMapWithStructKeysAndValuesAsRecords() throws Exception {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("conn")).load();
                BpfLink link = object.program("track_state").attach();
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            BtfRecordCodec<ConnKey> keys = BtfRecordCodec.of(ConnKey.class, object.btf(), "conn_key");
            TypedMap<ConnKey, ConnStats> conns = object.map("conns").typed(keys,
                    BtfRecordCodec.of(ConnStats.class, object.btf(), "conn_stats"));
            int serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
            int loopback = ByteBuffer.wrap(new byte[] {127, 0, 0, 1}).order(ByteOrder.nativeOrder()).getInt();
            ConnKey key;
            String comm;
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.connect(server.getLocalAddress());
                comm = Files.readString(Path.of("/proc/thread-self/comm")).strip(); // the thread that connected
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                // ports are u16: a short holds their bits ((short) 50000 is negative)
                key = new ConnKey(loopback, loopback, (short) clientPort, (short) serverPort);
                // connect(2) returns once SYN_SENT -> ESTABLISHED happened (the first change with a source port)
                assertEquals(Optional.of(new ConnStats(1, pid(), ConnState.CONN_ESTABLISHED, comm)), conns.get(key));
                assertTrue(conns.keys().contains(key), "keys() decodes the struct keys: " + conns.keys());
                try (SocketChannel accepted = server.accept()) {
                    ConnKey serverSide = new ConnKey(loopback, loopback, (short) serverPort, (short) clientPort);
                    assertEquals(ConnState.CONN_ESTABLISHED, conns.get(serverSide).orElseThrow().state());
                }
            }
            // closing moves the client's connection on (FIN_WAIT1 at least)
            ConnStats closed = conns.get(key).orElseThrow();
            assertTrue(closed.transitions() > 1, closed.toString());
            assertNotEquals(ConnState.CONN_ESTABLISHED, closed.state());
            assertEquals(comm, closed.comm());

            // and records encode: written by Java, read back from the kernel
            ConnKey made = new ConnKey(0x04030201, 0x08070605, (short) 1, (short) -2);
            ConnStats stats = new ConnStats(-1, 77, ConnState.CONN_LISTEN, "0123456789abcdefXYZ");
            conns.put(made, stats);
            assertEquals(Optional.of(new ConnStats(-1, 77, ConnState.CONN_LISTEN, "0123456789abcde")), conns.get(made));
            byte[] raw = object.map("conns").lookup(keys.encode(made)).orElseThrow();
            assertEquals(10, ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getInt(12)); // CONN_LISTEN's C value
        }
    }

    // ---- round trips --------------------------------------------------------------------------

    @Test
    @UnitTest
    void roundTripsBitfieldsUnionsAnonymousMembersAndNestedArrays() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("globals"))) {
            GlobalVariables globals = opened.globals();
            byte[] image = globals.getBytes("bits");
            BtfRecordCodec<Bits> codec = BtfRecordCodec.of(Bits.class, opened.btf(), "globals_bits");
            Bits bits = codec.decode(image);
            assertEquals(5, bits.low());
            assertEquals(-3, bits.signed_field());
            assertTrue(bits.flag());
            assertEquals(Mode.MODE_TRACE, bits.mode());
            assertEquals(0x04030201, bits.u().as_int());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, bits.u().as_bytes());
            assertEquals(10, bits.x());
            assertEquals(20, bits.y());
            assertArrayEquals(new int[][] {{1, 2, 3}, {4, 5, 6}}, bits.grid());
            assertArrayEquals(new String[] {"ab", "cde"}, bits.names());
            assertArrayEquals(image, codec.encode(bits), "encode(decode(x)) == x, padding included");

            Bits changed = new Bits(7, -16, false, Mode.MODE_OFF, new Overlay(0, new byte[] {9, 9, 9, 9}), (short) -1,
                    (short) 2, new int[][] {{-1, 0, 1}, {2, 3, 4}}, new String[] {"xyzw", ""});
            globals.set("bits", changed);
            Bits back = globals.get("bits", Bits.class);
            assertEquals(7, back.low());
            assertEquals(-16, back.signed_field());
            assertFalse(back.flag());
            assertEquals(Mode.MODE_OFF, back.mode());
            // the union's members overlap: the later component (as_bytes) wins
            assertEquals(0x09090909, back.u().as_int());
            assertEquals(-1, back.x());
            assertArrayEquals(new int[][] {{-1, 0, 1}, {2, 3, 4}}, back.grid());
            assertArrayEquals(new String[] {"xyz", ""}, back.names()); // char[4]: 3 bytes and the NUL

            IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class, () -> codec.encode(
                    new Bits(8, 0, false, Mode.MODE_OFF, bits.u(), (short) 0, (short) 0, bits.grid(), bits.names())));
            assertEquals("component 'low': 8 does not fit the 3-bit bitfield globals_bits.low", tooWide.getMessage());
            IllegalArgumentException shortArray = assertThrows(IllegalArgumentException.class, () -> codec.encode(
                    new Bits(1, 0, false, Mode.MODE_OFF, bits.u(), (short) 0, (short) 0, new int[][] {{1, 2, 3}},
                            bits.names())));
            assertEquals("component 'grid' has 1 elements but globals_bits.grid is __u32[2][3] (24 bytes)",
                    shortArray.getMessage());
        }
    }

    @Test
    @UnitTest
    void membersMissingFromTheRecordAreSkippedAndEncodeAsZero() {
        record PidAndFile(int pid, String filename) {
        }
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("opensnoop"))) {
            BtfRecordCodec<PidAndFile> codec = BtfRecordCodec.of(PidAndFile.class, btf, "open_event");
            byte[] bytes = codec.encode(new PidAndFile(-5, "/tmp/x"));
            assertEquals(288, bytes.length);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
            assertEquals(-5, buffer.getInt(0));
            assertEquals(0, buffer.getInt(4)); // tid
            assertTrue(Arrays.equals(new byte[16], Arrays.copyOfRange(bytes, 16, 32))); // comm
            assertEquals('/', bytes[32]);
            assertEquals(new PidAndFile(-5, "/tmp/x"), codec.decode(bytes));
            // u32 bits in an int: 4294967295 decodes as -1
            buffer.putInt(0, -1);
            assertEquals(4294967295L, Integer.toUnsignedLong(codec.decode(bytes).pid()));
        }
    }

    // ---- binding errors -----------------------------------------------------------------------

    @Test
    @UnitTest
    void mismatchesAreErrorsWhenBinding() {
        record WidePid(long pid) {
        }
        record Unknown(int pid, int ppid) {
        }
        record CommAsInt(int comm) {
        }
        record FileAsInts(int[] filename) {
        }
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("opensnoop"))) {
            assertEquals("component 'pid' is long (8 bytes) but open_event.pid is __u32 (4 bytes)",
                    assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(WidePid.class, btf, "open_event")).getMessage());
            assertEquals("component 'ppid' of record Unknown has no member in struct open_event"
                    + " (members: pid, tid, uid, flags, comm, filename)", assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(Unknown.class, btf, "open_event")).getMessage());
            assertEquals("component 'comm' is int (4 bytes) but open_event.comm is char[16] (16 bytes)",
                    assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(CommAsInt.class, btf, "open_event")).getMessage());
            assertEquals("component 'filename[]' is int (4 bytes) but open_event.filename[] is char (1 bytes)",
                    assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(FileAsInts.class, btf, "open_event")).getMessage());
            assertEquals("no struct or union 'no_such_struct' in this BTF (clang keeps a type only when something"
                    + " global uses it: a map's __type(key/value, ...), a global variable or a function signature; for a"
                    + " ring buffer record add a global such as 'const struct no_such_struct *unused_no_such_struct"
                    + " __attribute__((unused));')", assertThrows(IllegalArgumentException.class,
                    () -> BtfRecordCodec.of(OpenEvent.class, btf, "no_such_struct")).getMessage());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> BtfRecordCodec.of(OpenEvent.class, btf,
                    "open_evnt")).getMessage().startsWith("no struct or union 'open_evnt' in this BTF; similar: open_event ("));
            int u32 = btf.find(BtfType.Typedef.class, "__u32").orElseThrow().id();
            assertEquals("record OpenEvent cannot bind to __u32: not a struct, union or data section",
                    assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(OpenEvent.class, btf, u32)).getMessage());
        }
    }

    @Test
    @UnitTest
    void nestedAndEnumMismatchesNameTheirPath() {
        record WideOverlay(long as_int) {
        }
        record BadNested(WideOverlay u) {
        }
        enum Unknown { MODE_OFF, MODE_SLEEPY }
        record BadEnum(Unknown mode) {
        }
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("globals"))) {
            assertEquals("component 'u.as_int' is long (8 bytes) but (anonymous union).as_int is __u32 (4 bytes)",
                    assertThrows(IllegalArgumentException.class,
                            () -> BtfRecordCodec.of(BadNested.class, btf, "globals_bits")).getMessage());
            String enumError = assertThrows(IllegalArgumentException.class,
                    () -> BtfRecordCodec.of(BadEnum.class, btf, "globals_bits")).getMessage();
            assertTrue(enumError.contains("component 'mode'") && enumError.contains("[MODE_SLEEPY]")
                    && enumError.contains("enum globals_mode"), enumError);
        }
    }

    @Test
    @UnitTest
    void recordsBindToDataSectionsAndFormattersAgree() {
        record Bss(long hits, long weighted, boolean verbose) {
        }
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("globals"))) {
            opened.globals().setLong("hits", 12).setLong("weighted", 34).setBoolean("verbose", true);
            Btf btf = opened.btf();
            BtfType.DataSection bss = btf.find(BtfType.DataSection.class, ".bss").orElseThrow();
            BtfRecordCodec<Bss> codec = BtfRecordCodec.of(Bss.class, btf, bss.id());
            byte[] section = new byte[bss.size()];
            for (BtfType.Variable v : bss.variables()) {
                System.arraycopy(opened.globals().getBytes(v.name()), 0, section, v.offset(), v.size());
            }
            assertEquals(new Bss(12, 34, true), codec.decode(section));
            @SuppressWarnings("unchecked")
            Map<String, Object> formatted = (Map<String, Object>) new BtfFormatter(btf).format(bss.id(), section);
            assertEquals(12L, formatted.get("hits"));
            assertEquals(true, formatted.get("verbose"));
        }
    }
}
