package dev.jbpf.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * bench_perf.bpf.o's produce_SIZE programs (run through BPF_PROG_TEST_RUN) write `count` samples
 * of SIZE bytes whose first u64 is their index. The reader takes samples of one size in one loop
 * and leaves it at the first record of another size or type: these tests mix sizes in one ring
 * and make a handler fail in the middle of such a run.
 */
@KernelTest
class PerfRingRunsTest {
    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    private static void produce(LoadedObject object, int size, int count) {
        object.program("produce_" + size).testRun(TestRunOptions.ofContext(u64(count)));
    }

    @Test
    void samplesOfSeveralSizesInOneRingArriveOnceWithTheirSizes() {
        int[][] runs = {{8, 2000}, {64, 2000}, {512, 500}, {8, 1000}, {64, 300}};
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_perf")).load()) {
            Map<Long, List<Long>> indexesBySize = new TreeMap<>();
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("samples")).pagesPerCpu(256)
                    .onSample((cpu, data) -> indexesBySize.computeIfAbsent(data.byteSize(), size -> new ArrayList<>())
                            .add(data.get(ValueLayout.JAVA_LONG_UNALIGNED, 0))).build()) {
                for (int[] run : runs) {
                    produce(object, run[0], run[1]);
                }
                assertEquals(5800, buffer.consume(), "samples handed over");
                assertEquals(0, buffer.lostSamples());
            }
            Map<Long, List<Long>> expected = new TreeMap<>();
            for (int[] run : runs) {
                for (long i = 0; i < run[1]; i++) {
                    // the kernel pads a raw sample so that it ends 8-byte aligned after its u32 size: SIZE + 4
                    expected.computeIfAbsent(run[0] + 4L, size -> new ArrayList<>()).add(i);
                }
            }
            indexesBySize.values().forEach(list -> list.sort(null));
            expected.values().forEach(list -> list.sort(null));
            assertEquals(expected.keySet(), indexesBySize.keySet(), "sample sizes");
            for (Long size : expected.keySet()) {
                // compared as one boolean: a failure should not print thousands of indexes
                assertTrue(expected.get(size).equals(indexesBySize.get(size)),
                        "every sample of " + size + " bytes once: " + indexesBySize.get(size).size() + " of "
                                + expected.get(size).size());
            }
        }
    }

    @Test
    void aHandlerThatThrowsInARunLosesAndRepeatsNothing() {
        int count = 3000;
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_perf")).load()) {
            List<Long> got = new ArrayList<>();
            IllegalStateException boom = new IllegalStateException("boom at the 1501st sample");
            try (PerfBuffer buffer = PerfBuffer.builder(object.map("samples")).pagesPerCpu(64)
                    .onSample((cpu, data) -> {
                        got.add(data.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                        if (got.size() == 1501) {
                            throw boom;
                        }
                    }).build()) {
                produce(object, 64, count);
                assertSame(boom, assertThrows(IllegalStateException.class, buffer::consume));
                assertEquals(1501, got.size(), "samples handed over before the failure");
                assertEquals(count - 1501, buffer.consume(), "the rest, after the one that failed");
            }
            got.sort(null);
            for (int i = 0; i < count; i++) {
                assertEquals(i, got.get(i), "sample " + i + " once");
            }
            assertEquals(count, got.size());
        }
    }
}
