package dev.jbpf.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
