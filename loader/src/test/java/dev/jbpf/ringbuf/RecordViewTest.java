package dev.jbpf.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ownership rule of a record view (issue 19): valid only during its callback. A handler
 * that keeps the view and reads it in the next callback (the same batch: the memory is still
 * the record's) or after the poll gets an IllegalStateException, never stale data; the copying
 * handler gets every record whole. bench_ringbuf.bpf.o's produce_64 writes 64-byte records
 * whose first u64 is their index in the run.
 */
@KernelTest
class RecordViewTest {
    private static final int RECORDS = 1000;

    private static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    @Test
    void aViewKeptPastItsCallbackThrows() {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_ringbuf")).load()) {
            BpfProgram producer = object.program("produce_64");
            MemorySegment[] previous = {null};
            long[] indexes = {0};
            int[] threw = {0};
            List<Object> wrong = new ArrayList<>();
            try (RingBuffer ring = RingBuffer.builder().add(object.map("records"), record -> {
                if (previous[0] != null) {
                    try {
                        wrong.add(previous[0].get(ValueLayout.JAVA_LONG_UNALIGNED, 0)); // stale use
                    } catch (IllegalStateException expected) {
                        threw[0]++;
                    }
                }
                assertEquals(indexes[0]++, record.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                previous[0] = record;
            }).build()) {
                producer.testRun(TestRunOptions.ofContext(u32(RECORDS)));
                assertEquals(RECORDS, ring.consume());
            }
            assertEquals(List.of(), wrong, "a kept view was readable in a later callback");
            assertEquals(RECORDS - 1, threw[0]);
            IllegalStateException after = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> previous[0].get(ValueLayout.JAVA_BYTE, 0));
            assertTrue(after.getMessage() != null);
        }
    }

    @Test
    void theCopyingHandlerGetsEveryRecordWhole() {
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("bench_ringbuf")).load()) {
            BpfProgram producer = object.program("produce_64");
            List<byte[]> copies = new ArrayList<>();
            try (RingBuffer ring = RingBuffer.builder().add(object.map("records"), RecordHandler.copying(copies::add))
                    .build()) {
                producer.testRun(TestRunOptions.ofContext(u32(RECORDS)));
                assertEquals(RECORDS, ring.consume());
            }
            assertEquals(RECORDS, copies.size());
            for (int i = 0; i < RECORDS; i++) {
                assertEquals(64, copies.get(i).length);
                assertEquals(i, ByteBuffer.wrap(copies.get(i)).order(ByteOrder.nativeOrder()).getLong(0));
            }
        }
    }
}
