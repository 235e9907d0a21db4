package dev.jbpf.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.testing.KernelTest;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bench_ringbuf.bpf.o (a 64 MiB ring; produce_64 writes records whose first u64 is their index
 * in the run): enough records pass through the ring that it wraps around its end twice, and
 * every record arrives once, in order, whole, read from the mapped ring.
 */
@KernelTest
class MappedRingTest {
    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    @Test
    void recordsArriveInOrderAcrossWrapArounds() {
        int perRun = 300_000; // 300,000 x (64 + 8 header) bytes = 21.6 MB, a third of the ring
        int runs = 7; // 151 MB in all: the ring (64 MiB) wraps twice
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_ringbuf")).load()) {
            BpfProgram producer = object.program("produce_64");
            long[] expected = {0};
            long[] received = {0};
            long[] wrongSize = {0};
            long[] outOfOrder = {0};
            try (RingBuffer ring = RingBuffer.builder().add(object.map("records"), record -> {
                if (record.byteSize() != 64) {
                    wrongSize[0]++;
                }
                if (record.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != expected[0] % perRun) {
                    outOfOrder[0]++;
                }
                expected[0]++;
                received[0]++;
            }).build()) {
                assertEquals(0, ring.poll(Duration.ofMillis(10)), "nothing produced yet");
                for (int run = 0; run < runs; run++) {
                    producer.testRun(TestRunOptions.ofContext(u32(perRun)));
                    long handled = 0;
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (handled < perRun && System.nanoTime() < deadline) {
                        handled += run % 2 == 0 ? ring.poll(Duration.ofMillis(200)) : ring.consume();
                    }
                    assertEquals(perRun, handled, "records of run " + run);
                }
                assertEquals(0, ring.consume(), "the ring is empty");
            }
            assertEquals((long) perRun * runs, received[0]);
            assertEquals(0, wrongSize[0], "records not of 64 bytes");
            assertEquals(0, outOfOrder[0], "records out of order");
            long dropped = ByteBuffer.wrap(object.map("produced").lookup(u32(1)).orElseThrow())
                    .order(ByteOrder.nativeOrder()).getLong();
            assertEquals(0, dropped, "the producer found the ring full: the consumer position was not published");
            assertTrue((long) perRun * runs * 72 > 2L * (64 << 20), "wrapped twice");
        }
    }

    /**
     * produce_mixed: runs of four records of one length (8, 16, 64 bytes in turn) with every 7th
     * record discarded. The reader takes a run of one length in one loop and leaves it at the first
     * other header: every submitted record arrives once, in order, with its own length.
     */
    @Test
    void runsOfOneLengthEndAtAnotherLengthOrADiscardedRecord() {
        int count = 10_000;
        long[] lengths = {8, 16, 64};
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_ringbuf")).load()) {
            List<long[]> got = new ArrayList<>();
            try (RingBuffer ring = RingBuffer.builder().add(object.map("records"),
                    record -> got.add(new long[] {record.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), record.byteSize()})).build()) {
                object.program("produce_mixed").testRun(TestRunOptions.ofContext(u32(count)));
                int submitted = count - count / 7;
                assertEquals(submitted, ring.consume(), "records handed over");
            }
            int k = 0;
            for (int i = 0; i < count; i++) {
                if (i % 7 == 6) {
                    continue; // discarded by the producer
                }
                long[] record = got.get(k++);
                assertEquals(i, record[0], "record " + k + " in order");
                assertEquals(lengths[(i / 4) % 3], record[1], "length of record " + i);
            }
            assertEquals(k, got.size(), "nothing more");
        }
    }

    /** A handler that throws in the middle of a run: that record counts as read, the next consume goes on after it. */
    @Test
    void aHandlerThatThrowsInARunLosesAndRepeatsNothing() {
        int count = 3_000;
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_ringbuf")).load()) {
            List<Long> got = new ArrayList<>();
            IllegalStateException boom = new IllegalStateException("boom at 1500");
            try (RingBuffer ring = RingBuffer.builder().add(object.map("records"), record -> {
                long index = record.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                got.add(index);
                if (index == 1500 && got.size() == 1501) {
                    throw boom;
                }
            }).build()) {
                object.program("produce_64").testRun(TestRunOptions.ofContext(u32(count)));
                assertEquals(boom, assertThrows(IllegalStateException.class, ring::consume));
                assertEquals(1501, got.size(), "records 0..1500 handed over before the failure");
                assertEquals(count - 1501, ring.consume(), "the rest, from 1501");
            }
            for (int i = 0; i < count; i++) {
                assertEquals(i, got.get(i), "record " + i + " once, in order");
            }
            assertEquals(count, got.size());
        }
    }
}
