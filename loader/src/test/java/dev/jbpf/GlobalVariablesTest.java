package dev.jbpf;

import dev.jbpf.testing.VmTest;
import dev.jbpf.testing.KernelEffects;

import dev.jbpf.testing.TestSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Global variables of globals.bpf.o: set before load, read and written after load, and the
 * program's behaviour (counters it keeps in .bss) following what Java wrote.
 */
@SuppressWarnings("try")
@VmTest
class GlobalVariablesTest {
    enum Mode { MODE_OFF, MODE_COUNT, MODE_TRACE }

    record Settings(int id, short port, String name, long[] limits) {
    }

    private static OpenedObject open() {
        return BpfObject.open(TestSupport.bpfObject("globals"));
    }

    // ---- before load: no privileges needed ------------------------------------------------------

    @Test
    @UnitTest
    void listsTheVariablesOfEverySectionWithTheirBtfTypes() {
        try (OpenedObject opened = open()) {
            GlobalVariables globals = opened.globals();
            assertFalse(globals.isLoaded());
            assertTrue(globals.names().containsAll(List.of("target_pid", "rodata_limit", "rodata_label", "multiplier",
                    "enabled", "tag", "verbose", "mode", "settings", "bits", "big_signed", "big_unsigned", "hits",
                    "weighted", "custom_counter", "custom_limit")), globals.names().toString());
            assertEquals(new GlobalVariable("target_pid", ".rodata", "const volatile int",
                    globals.variable("target_pid").typeId(), globals.variable("target_pid").offset(), 4, false),
                    globals.variable("target_pid"));
            assertEquals(".bss", globals.variable("hits").section());
            assertEquals("__u64", globals.variable("hits").type());
            assertEquals(".data.custom", globals.variable("custom_counter").section());
            assertEquals(".rodata.custom", globals.variable("custom_limit").section());
            assertEquals("char[16]", globals.variable("tag").type());
            assertEquals("struct globals_config", globals.variable("settings").type());
            // the string literal section (.rodata.str1.1) has no BTF and no variables: not listed
            assertFalse(globals.names().stream().anyMatch(n -> n.startsWith(".")), globals.names().toString());
        }
    }

    @Test
    @UnitTest
    void readsInitialValuesFormattedThroughBtf() {
        try (OpenedObject opened = open()) {
            GlobalVariables globals = opened.globals();
            assertEquals(0L, globals.get("target_pid"));
            assertEquals(1000L, globals.get("rodata_limit"));
            assertEquals("ro", globals.get("rodata_label"));
            assertEquals("initial", globals.get("tag"));
            assertEquals("MODE_COUNT", globals.get("mode"));
            assertEquals(false, globals.get("verbose"));
            assertEquals(Map.of("id", 7L, "port", 8080L, "name", "cfg", "limits", List.of(1L, 2L, 3L)),
                    globals.get("settings"));
            assertEquals(BigInteger.valueOf(-2), globals.get("big_signed"));
            assertEquals(BigInteger.ONE.shiftLeft(100).add(BigInteger.valueOf(5)), globals.get("big_unsigned"));
            assertEquals(5, globals.getInt("custom_counter"));
            assertEquals(9, globals.getInt("custom_limit"));
            assertEquals(Mode.MODE_COUNT, globals.get("mode", Mode.class));
            assertEquals(3, globals.getInt("mode")); // an enum also reads as an int of its width
        }
    }

    @Test
    @UnitTest
    void setsValuesOfEveryKindBeforeLoad() {
        try (OpenedObject opened = open()) {
            GlobalVariables globals = opened.globals();
            globals.setInt("target_pid", 42).setLong("rodata_limit", 5).setBoolean("verbose", true)
                    .set("mode", Mode.MODE_TRACE).setString("tag", "short")
                    .set("big_unsigned", new BigInteger("340282366920938463463374607431768211455")) // 2^128 - 1
                    .set("settings", new Settings(9, (short) 443, "https", new long[] {7, 8, 9}));
            assertEquals(42, globals.getInt("target_pid"));
            assertEquals(5L, globals.getLong("rodata_limit"));
            assertTrue(globals.getBoolean("verbose"));
            assertEquals("MODE_TRACE", globals.get("mode"));
            assertEquals("short", globals.getString("tag"));
            assertEquals(new BigInteger("340282366920938463463374607431768211455"), globals.get("big_unsigned"));
            assertEquals(Map.of("id", 9L, "port", 443L, "name", "https", "limits", List.of(7L, 8L, 9L)),
                    globals.get("settings"));
            Settings settings = globals.get("settings", Settings.class);
            assertEquals("https", settings.name());
            assertArrayEquals(new long[] {7, 8, 9}, settings.limits());

            // a string longer than the array is cut to length - 1 bytes and NUL-terminated
            globals.setString("tag", "0123456789abcdefXYZ");
            assertEquals("0123456789abcde", globals.getString("tag"));
            assertEquals(0, globals.getBytes("tag")[15]);

            // raw bytes
            globals.setBytes("target_pid", ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(77).array());
            assertEquals(77, globals.getInt("target_pid"));
        }
    }

    @Test
    @UnitTest
    void wrongTypesAndUnknownNamesAreClearErrors() {
        try (OpenedObject opened = open()) {
            GlobalVariables globals = opened.globals();
            IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class,
                    () -> globals.setLong("target_pid", 1L));
            assertEquals("global variable 'target_pid' (const volatile int, 4 bytes, section .rodata): Java type"
                    + " Long (8 bytes) does not match BTF type const volatile int (4 bytes)", wrongSize.getMessage());
            IllegalArgumentException wrongKind = assertThrows(IllegalArgumentException.class,
                    () -> globals.setString("hits", "x"));
            assertTrue(wrongKind.getMessage().contains("'hits'") && wrongKind.getMessage().contains("__u64")
                    && wrongKind.getMessage().contains(".bss"), wrongKind.getMessage());
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> globals.setInt("no_such_variable", 1));
            assertTrue(unknown.getMessage().contains("'no_such_variable'")
                    && unknown.getMessage().contains("target_pid"), unknown.getMessage());
            IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                    () -> globals.setBytes("multiplier", new byte[8]));
            assertTrue(bytes.getMessage().contains("'multiplier'") && bytes.getMessage().contains("__u32")
                    && bytes.getMessage().contains(".data"), bytes.getMessage());
            assertThrows(IllegalArgumentException.class, () -> globals.set("big_signed", BigInteger.ONE.shiftLeft(128)));
            assertThrows(IllegalArgumentException.class,
                    () -> globals.set("settings", new Settings(1, (short) 2, "x", new long[2]))); // limits has 3
            // the failed writes changed nothing
            assertEquals(0, globals.getInt("target_pid"));
            assertEquals(Map.of("id", 7L, "port", 8080L, "name", "cfg", "limits", List.of(1L, 2L, 3L)),
                    globals.get("settings"));
            // qualified names work too
            assertEquals(5, globals.getInt(".data.custom:custom_counter"));
        }
    }

    @Test
    @KernelTest
    void theOpenedViewEndsWithLoadAndTheLoadedViewWithClose() {
        OpenedObject opened = open();
        GlobalVariables before = opened.globals();
        LoadedObject object = opened.load();
        IllegalStateException afterLoad = assertThrows(IllegalStateException.class, () -> before.getInt("target_pid"));
        assertTrue(afterLoad.getMessage().contains("was loaded"), afterLoad.getMessage());
        GlobalVariables after = object.globals();
        assertTrue(after.isLoaded());
        object.close();
        assertThrows(IllegalStateException.class, () -> after.getInt("target_pid"));
        assertThrows(IllegalStateException.class, () -> after.setInt("multiplier", 1));
    }

    // ---- after load: the kernel's own memory ----------------------------------------------------

    @Test
    @KernelTest
    void rodataFilterSetBeforeLoadDecidesWhatTheProgramCounts() {
        int n = 7;
        OpenedObject opened = open();
        opened.globals().setInt("target_pid", KernelEffects.pid());
        try (LoadedObject object = opened.load(); BpfLink link = object.program("count_target").attach()) {
            GlobalVariables globals = object.globals();
            assertEquals(0L, globals.getLong("hits"));
            TestSupport.getppid(n);
            assertEquals(n, globals.getLong("hits"));
            assertEquals(n, globals.getLong("weighted")); // multiplier 1, enabled
            assertEquals(KernelEffects.pid(), globals.getInt("seen_data_pid"));
            assertEquals(KernelEffects.pid(), globals.getInt("target_pid")); // .rodata reads after load
        }
    }

    @Test
    @KernelTest
    void aFilterForAnotherProcessCountsNothingOfOurs() throws Exception {
        // another real process, which never calls getppid: the filter must leave our calls out
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            OpenedObject opened = open();
            opened.globals().setInt("target_pid", (int) sleeper.pid());
            try (LoadedObject object = opened.load(); BpfLink link = object.program("count_target").attach()) {
                TestSupport.getppid(5);
                assertEquals(0L, object.globals().getLong("hits"));
                assertEquals((int) sleeper.pid(), object.globals().getInt("target_pid"));
            }
        } finally {
            sleeper.destroy();
            sleeper.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @KernelTest
    void dataWrittenAfterLoadChangesWhatTheProgramDoes() {
        OpenedObject opened = open();
        opened.globals().setInt("target_pid", KernelEffects.pid());
        try (LoadedObject object = opened.load(); BpfLink link = object.program("count_target").attach()) {
            GlobalVariables globals = object.globals();
            TestSupport.getppid(3);
            assertEquals(3L, globals.getLong("weighted"));

            globals.setInt("multiplier", 5); // straight into the map's memory
            TestSupport.getppid(3);
            assertEquals(3 + 3 * 5L, globals.getLong("weighted"));

            globals.setInt("enabled", 0);
            TestSupport.getppid(2);
            assertEquals(18L, globals.getLong("weighted"));
            assertEquals(8L, globals.getLong("hits"));

            // the kernel's copy, through the map syscall, holds what Java wrote
            BpfMap data = object.maps().stream().filter(m -> m.isInternal() && m.name().endsWith(".data"))
                    .findFirst().orElseThrow();
            byte[] value = data.lookup(new byte[4]).orElseThrow();
            ByteBuffer section = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
            assertEquals(5, section.getInt(globals.variable("multiplier").offset()));
            assertEquals(0, section.getInt(globals.variable("enabled").offset()));

            // .bss written from Java: the program keeps counting from there
            globals.setLong("hits", 100);
            globals.setInt("enabled", 1);
            TestSupport.getppid(1);
            assertEquals(101L, globals.getLong("hits"));
        }
    }

    @Test
    @KernelTest
    void rodataIsReadOnlyAfterLoad() {
        OpenedObject opened = open();
        opened.globals().setLong("rodata_limit", 123);
        try (LoadedObject object = opened.load()) {
            GlobalVariables globals = object.globals();
            assertEquals(123L, globals.getLong("rodata_limit"));
            assertTrue(globals.variable("target_pid").readOnly());
            assertFalse(globals.variable("multiplier").readOnly());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> globals.setInt("target_pid", 1));
            assertTrue(e.getMessage().contains("'target_pid'") && e.getMessage().contains("read-only after load"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> globals.setInt("custom_limit", 1));
            assertEquals(123L, globals.getLong("rodata_limit"));
        }
    }

    @Test
    @KernelTest
    void customSectionsRoundTripThroughTheKernel() {
        OpenedObject opened = open();
        opened.globals().setInt("target_pid", KernelEffects.pid()).setInt("custom_counter", 77)
                .setInt("custom_limit", 99).setLong("hits", 40);
        try (LoadedObject object = opened.load(); BpfLink link = object.program("count_target").attach()) {
            GlobalVariables globals = object.globals();
            assertEquals(40L, globals.getLong("hits")); // .bss set before load reached the kernel
            TestSupport.getppid(1);
            assertEquals(77, globals.getInt("seen_custom_data"));
            assertEquals(99, globals.getInt("seen_custom_rodata"));
            assertEquals(41L, globals.getLong("hits"));

            globals.setInt("custom_counter", 78);
            TestSupport.getppid(1);
            assertEquals(78, globals.getInt("seen_custom_data"));
            assertEquals(99, globals.getInt("custom_limit"));
        }
    }

    @Test
    @KernelTest
    void sectionsThatCannotBeMappedGoThroughTheMapSyscalls() {
        OpenedObject opened = open();
        opened.globals().setInt("target_pid", KernelEffects.pid()).setInt("static_step", 4);
        try (LoadedObject object = opened.load(); BpfLink link = object.program("count_target").attach()) {
            BpfMap statics = object.maps().stream().filter(m -> m.name().endsWith(".data.statics")).findFirst()
                    .orElseThrow();
            assertEquals(0, statics.flags() & dev.jbpf.bindings.BpfConstants.BPF_F_MMAPABLE); // only static variables
            GlobalVariables globals = object.globals();
            TestSupport.getppid(2);
            assertEquals(8L, globals.getLong("static_sum"));
            assertEquals(4, globals.getInt("static_step"));
            globals.setInt("static_step", 10);
            TestSupport.getppid(1);
            assertEquals(18L, globals.getLong("static_sum"));
            assertEquals(10, globals.getInt("static_step"));
        }
    }

    @Test
    @KernelTest
    void theObjectsBtfIsBorrowed() {
        try (LoadedObject object = open().load()) {
            var btf = object.btf();
            btf.close(); // does nothing: the object owns it
            assertTrue(btf.findStruct("globals_config").isPresent());
            assertTrue(object.btf().find(dev.jbpf.btf.BtfType.DataSection.class, ".bss").isPresent());
            object.close();
            assertThrows(IllegalStateException.class, () -> btf.findStruct("globals_config"));
            assertThrows(IllegalStateException.class, object::btf);
        }
    }
}
