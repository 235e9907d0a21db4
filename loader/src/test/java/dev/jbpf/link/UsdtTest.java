package dev.jbpf.link;

import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.TraceTarget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.VmTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** USDT probes of trace_target: the jbpf:tick(i, 0x5eed0000 + i) arguments arrive in the map. */
@KernelTest
@VmTest
@Requires(Feature.UPROBES)
class UsdtTest {
    private static final int ITERATIONS = 5;
    private LoadedObject loaded;

    @BeforeEach
    void load() {
        loaded = BpfObject.open(TestSupport.bpfObject("usdt")).load();
    }

    @AfterEach
    void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    /** index → (value, cookie, pid) from a ticks map. */
    private static Map<Long, long[]> ticks(BpfMap map) {
        Map<Long, long[]> ticks = new TreeMap<>();
        for (Map.Entry<Long, byte[]> entry : map.typed(Codec.LONG, Codec.bytes(24)).entries()) {
            ByteBuffer value = ByteBuffer.wrap(entry.getValue()).order(ByteOrder.nativeOrder());
            ticks.put(entry.getKey(), new long[] {value.getLong(0), value.getLong(8), value.getInt(16)});
        }
        return ticks;
    }

    private static void assertTicks(Map<Long, long[]> ticks, long cookie, int pid) {
        assertEquals(ITERATIONS, ticks.size(), "one tick per iteration: " + ticks.keySet());
        for (long i = 0; i < ITERATIONS; i++) {
            long[] tick = ticks.get(i);
            assertEquals(0x5eed0000L + i, tick[0], "second argument of tick " + i);
            assertEquals(cookie, tick[1], "cookie of tick " + i);
            assertEquals(pid, tick[2], "pid of tick " + i);
        }
    }

    @Test
    void usdtProbeDeliversItsArgumentsAndCookie() {
        try (TraceTarget target = TraceTarget.start(ITERATIONS);
             BpfLink link = loaded.program("record_tick").attach(
                     Usdt.of(TracingSupport.traceTargetBinary(), "jbpf", "tick").withPid(target.pid()).withCookie(99))) {
            assertNoKernelLink(link);
            target.run();
            assertTicks(ticks(loaded.map("ticks")), 99, target.pid());
        }
    }

    @Test
    @Requires(Feature.ATTACH_COOKIES) // two attachments at one address: libbpf tells them apart by cookie
    void aPidFilterCountsTheChosenProcessOnly() {
        // two processes of one binary hit the probe; a link filtered by pid (cookie 1) must see
        // one of them, an unfiltered link (cookie 2) both: proof the other did hit the probe
        Path binary = TracingSupport.traceTargetBinary();
        try (TraceTarget chosen = TraceTarget.start(ITERATIONS);
             TraceTarget other = TraceTarget.start(ITERATIONS + 2);
             BpfLink filtered = loaded.program("count_tick").attach(
                     Usdt.of(binary, "jbpf", "tick").withPid(chosen.pid()).withCookie(1));
             BpfLink everyone = loaded.program("count_tick").attach(Usdt.of(binary, "jbpf", "tick").withCookie(2))) {
            other.run();
            chosen.run();
            Map<Long, Long> hits = loaded.map("tick_hits").typed(Codec.LONG, Codec.LONG).toMap();
            assertEquals(Map.of(1L << 32 | chosen.pid(), (long) ITERATIONS,
                    2L << 32 | chosen.pid(), (long) ITERATIONS,
                    2L << 32 | other.pid(), (long) ITERATIONS + 2), hits,
                    "hits by (cookie << 32 | pid); chosen " + chosen.pid() + ", other " + other.pid());
        }
    }

    @Test
    void usdtAttachedBySectionFindsTheProgramOnPath() {
        // The section says "usdt/trace_target:jbpf:tick": libbpf looks the bare name up on PATH,
        // read from the C environment, which the test points at build/test-bin for the attach.
        String path = System.getenv("PATH");
        TracingSupport.setenv("PATH", TracingSupport.traceTargetBinary().getParent() + ":" + path);
        BpfLink link;
        try {
            link = loaded.program("record_tick_by_section").attach();
        } finally {
            TracingSupport.setenv("PATH", path);
        }
        try (link; TraceTarget target = TraceTarget.start(ITERATIONS)) {
            assertNoKernelLink(link);
            target.run();
            assertTicks(ticks(loaded.map("section_ticks")), 0, target.pid());
        }
    }

    /** libbpf's USDT link keeps its uprobes inside and has no fd (bpf_link__fd answers 0): no id, no pin. */
    private static void assertNoKernelLink(BpfLink link) {
        assertFalse(link.isKernelLink(), link.toString());
        UnsupportedOperationException noFd = assertThrows(UnsupportedOperationException.class, link::fd);
        assertTrue(noFd.getMessage().contains("USDT attachment") && noFd.getMessage().contains("cannot be pinned"),
                noFd.getMessage());
        assertThrows(UnsupportedOperationException.class, link::id);
        Path pin = Path.of("/sys/fs/bpf/jbpf-test-usdt-link-" + ProcessHandle.current().pid());
        assertThrows(UnsupportedOperationException.class, () -> link.pin(pin));
        assertFalse(java.nio.file.Files.exists(pin));
    }

    @Test
    void unknownProbeListsTheProbesTheBinaryHas() {
        Path binary = TracingSupport.traceTargetBinary();
        BpfNotFoundException e = assertThrows(BpfNotFoundException.class,
                () -> loaded.program("record_tick").attach(Usdt.of(binary, "jbpf", "tock")));
        assertEquals("find USDT probe jbpf:tock in " + binary + ": no such probe; the binary has jbpf:tick",
                e.getMessage());
        BpfNotFoundException none = assertThrows(BpfNotFoundException.class,
                () -> loaded.program("record_tick").attach(Usdt.of("libc.so.6", "libc", "setjmp")));
        assertTrue(none.getMessage().contains("has no USDT probes") || none.getMessage().contains("no such probe"),
                none.getMessage());
    }
}
