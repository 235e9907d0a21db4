package dev.jbpf.skeleton;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.btf.BtfLayout;
import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import dev.jbpf.btf.BtfType;
import dev.jbpf.btf.BtfValueCodec;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.TypedMap;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.ringbuf.RingBufferMap;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What generated skeletons rely on: {@link BtfMember} renames, union encoding, {@link BtfLayout}
 * checks against a real object's BTF, {@link SkeletonTypes} binding (and refusing) an object, and
 * typed maps and ring buffers fed by a real program.
 */
class SkeletonSupportTest {
    /** struct open_event of opensnoop.h with Java names for two members. */
    record OpenEvent(int pid, int tid, int uid, int flags, @BtfMember("comm") String command,
            @BtfMember("filename") String path) {
    }

    record PlainOpenEvent(int pid, int tid, int uid, int flags, String comm, String filename) {
    }

    /** The anonymous union globals_bits.u of globals.bpf.c. */
    record Overlay(@BtfMember("as_int") int asInt, @BtfMember("as_bytes") byte[] asBytes) {
    }

    private static final List<BtfLayout> OPEN_EVENT = List.of(BtfLayout.struct("open_event", 288, OpenEvent.class,
            BtfLayout.member("pid", 0), BtfLayout.member("tid", 32), BtfLayout.member("uid", 64),
            BtfLayout.member("flags", 96), BtfLayout.member("comm", 128), BtfLayout.member("filename", 256)));

    @Test
    @UnitTest
    void btfMemberBindsComponentsOfOtherNames() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"))) {
            BtfRecordCodec<OpenEvent> renamed = BtfRecordCodec.of(OpenEvent.class, opened.btf(), "open_event");
            BtfRecordCodec<PlainOpenEvent> plain = BtfRecordCodec.of(PlainOpenEvent.class, opened.btf(), "open_event");
            byte[] bytes = renamed.encode(new OpenEvent(1, 2, 3, 4, "cat", "/etc/hostname"));
            assertEquals(new PlainOpenEvent(1, 2, 3, 4, "cat", "/etc/hostname"), plain.decode(bytes));
            assertEquals("/etc/hostname", renamed.decode(bytes).path());
        }
    }

    @Test
    @UnitTest
    void unionsEncodeTheMembersThatAreSet() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("globals"))) {
            BtfType.Struct bits = opened.btf().findStruct("globals_bits").orElseThrow();
            int unionId = bits.member("u").orElseThrow().typeId();
            BtfValueCodec<Overlay> codec = BtfValueCodec.of(Overlay.class, opened.btf(), unionId);
            // the int set, the bytes left zero: the int is what is encoded (the zero bytes do not overwrite it)
            assertArrayEquals(new byte[] {0x44, 0x33, 0x22, 0x11}, codec.encode(new Overlay(0x11223344, new byte[4])));
            assertArrayEquals(new byte[] {1, 2, 3, 4}, codec.encode(new Overlay(0, new byte[] {1, 2, 3, 4})));
            // both set: the last non-zero member wins; decoding reads every member from the same bytes
            Overlay both = codec.decode(codec.encode(new Overlay(7, new byte[] {5, 6, 7, 8})));
            assertEquals(0x08070605, both.asInt());
            assertArrayEquals(new byte[] {5, 6, 7, 8}, both.asBytes());
        }
    }

    @Test
    @UnitTest
    void layoutsMatchTheObjectTheyDescribeAndNameWhatMoved() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("globals"))) {
            var btf = opened.btf();
            BtfLayout bits = BtfLayout.struct("globals_bits", 44, Overlay.class,
                    BtfLayout.bitfield("low", 0, 3), BtfLayout.bitfield("signed_field", 3, 5),
                    BtfLayout.bitfield("flag", 8, 1), BtfLayout.bitfield("mode", 9, 4), BtfLayout.member("u", 32),
                    BtfLayout.member("u.as_int", 32), BtfLayout.member("x", 64), BtfLayout.member("y", 80),
                    BtfLayout.member("grid", 96), BtfLayout.member("names", 288));
            assertEquals(Optional.empty(), bits.difference(btf));
            assertEquals(Optional.of("struct globals_bits.y moved from bit 96 to bit 80"),
                    layout(44, BtfLayout.member("y", 96)).difference(btf));
            assertEquals(Optional.of("struct globals_bits is 44 bytes, not 48"), layout(48).difference(btf));
            assertEquals(Optional.of("struct globals_bits.z is not a member any more"),
                    layout(44, BtfLayout.member("z", 96)).difference(btf));
            assertEquals(Optional.of("struct globals_bits.low is a 3-bit bitfield, not a 4-bit bitfield"),
                    layout(44, BtfLayout.bitfield("low", 0, 4)).difference(btf));
            assertEquals(Optional.of("struct globals_bits.x is not a bitfield, not a 2-bit bitfield"),
                    layout(44, BtfLayout.bitfield("x", 64, 2)).difference(btf));
            assertEquals(Optional.of("struct no_such_type is not in the object's BTF"),
                    BtfLayout.struct("no_such_type", 4, Overlay.class).difference(btf));
            assertEquals(Optional.of("union globals_bits is not in the object's BTF"),
                    BtfLayout.union("globals_bits", 44, Overlay.class).difference(btf));
            assertEquals(Optional.of("enum globals_mode is 4 bytes, not 8"),
                    BtfLayout.enumeration("globals_mode", 8, Overlay.class).difference(btf));
        }
    }

    private static BtfLayout layout(int size, BtfLayout.Member... members) {
        return BtfLayout.struct("globals_bits", size, Overlay.class, members);
    }

    @Test
    @UnitTest
    void bindingAnObjectThatMovedAFieldClosesItAndSaysWhatMoved() {
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"));
        List<BtfLayout> moved = List.of(BtfLayout.struct("open_event", 288, OpenEvent.class,
                BtfLayout.member("pid", 0), BtfLayout.member("comm", 160)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SkeletonTypes.bind(opened, SkeletonSupportTest.class, moved));
        assertEquals("opensnoop does not match SkeletonSupportTest: struct open_event.comm moved from bit 160 to bit 128;"
                + " regenerate the skeleton from this object", e.getMessage());
        assertThrows(IllegalStateException.class, opened::name, "the object was closed");
    }

    @Test
    @UnitTest
    void aMissingResourceSaysWhereItWasLookedFor() {
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class,
                () -> Skeletons.openResource(SkeletonSupportTest.class, "nothing_here.bpf.o"));
        assertTrue(e.getMessage().contains("no classpath resource dev/jbpf/skeleton/nothing_here.bpf.o"), e.getMessage());
    }

    @Test
    @KernelTest
    void typedMapsAndRingBuffersCarryWhatTheProgramWrote() throws IOException {
        Path file = Files.createTempFile("jbpf-skeleton-", ".txt");
        int pid = (int) ProcessHandle.current().pid();
        SkeletonTypes types;
        OpenedObject opened = BpfObject.open(TestSupport.bpfObject("opensnoop"));
        types = SkeletonTypes.bind(opened, SkeletonSupportTest.class, OPEN_EVENT);
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class, () -> types.codec(String.class));
        assertEquals("java.lang.String is not a type of SkeletonSupportTest (its types: OpenEvent)", notOurs.getMessage());
        List<OpenEvent> ours = new ArrayList<>();
        try (LoadedObject object = opened.load(); BpfLink link = object.program("trace_openat").attach()) {
            TypedMap<Integer, Long> counts = types.map(object, "counts", Integer.class, Long.class);
            RingBufferMap<OpenEvent> events = types.ringBuffer(object, "events", OpenEvent.class);
            try (RingBuffer ring = events.subscribe(e -> {
                if (e.pid() == pid && e.path().equals(file.toString())) {
                    ours.add(e);
                }
            })) {
                for (int i = 0; i < 3; i++) {
                    Files.readAllBytes(file);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ours.size() < 3 && System.nanoTime() < deadline) {
                    ring.poll(Duration.ofMillis(100));
                }
            }
            assertEquals(3, ours.size(), "records of our three opens");
            assertTrue(counts.get(pid).orElseThrow() >= 3, "our process's opens counted");
            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    () -> types.map(object, "counts", Integer.class, Integer.class));
            assertTrue(wrong.getMessage().startsWith("opensnoop does not match SkeletonSupportTest: map counts: "),
                    wrong.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
