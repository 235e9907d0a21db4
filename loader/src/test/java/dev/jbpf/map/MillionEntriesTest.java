package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.KernelTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

/**
 * A hash map of 1,000,000 entries filled with one batch().update, walked with batches and key by
 * key: every key seen exactly once with its value, and batches faster.
 */
@KernelTest
class MillionEntriesTest {
    private static final int ENTRIES = 1_000_000;

    /** Checks each entry of a chunk against key * 3 and marks its key; counts duplicates and wrong values. */
    static final class Checker implements BatchVisitor {
        final BitSet seen = new BitSet(ENTRIES);
        long duplicates;
        long wrongValues;
        long visited;

        @Override
        public void visit(MemorySegment keys, MemorySegment values, int count) {
            for (int i = 0; i < count; i++) {
                int key = keys.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                long value = values.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                if (key < 0 || key >= ENTRIES || seen.get(key)) {
                    duplicates++;
                } else {
                    seen.set(key);
                }
                if (value != key * 3L) {
                    wrongValues++;
                }
            }
            visited += count;
        }

        void assertEveryKeyOnce(String how) {
            assertEquals(ENTRIES, visited, how + ": entries visited");
            assertEquals(0, duplicates, how + ": keys seen twice (or out of range)");
            assertEquals(ENTRIES, seen.cardinality(), how + ": distinct keys");
            assertEquals(0, wrongValues, how + ": wrong values");
        }
    }

    @Test
    void batchIterationOfAMillionEntriesBeatsKeyByKey() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_1m", 4, 8, ENTRIES)) {
            List<byte[]> keys = new ArrayList<>(ENTRIES);
            List<byte[]> values = new ArrayList<>(ENTRIES);
            for (int i = 0; i < ENTRIES; i++) {
                keys.add(Codec.INT.encode(i));
                values.add(Codec.LONG.encode(i * 3L));
            }
            long t0 = System.nanoTime();
            map.batch().update(keys, values);
            long fillMs = (System.nanoTime() - t0) / 1_000_000;
            keys = null;
            values = null;

            // CPU time of this thread (user + system, the syscalls included) next to wall time: other
            // processes share the 2 cores, so wall time says as much about them as about jbpf
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Checker batch = new Checker();
            long c1 = threads.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            long visited = map.batch().forEach(batch);
            long batchMs = (System.nanoTime() - t1) / 1_000_000;
            long batchCpuMs = (threads.getCurrentThreadCpuTime() - c1) / 1_000_000;
            assertEquals(ENTRIES, visited);
            batch.assertEveryKeyOnce("batches");

            Checker oneByOne = new Checker();
            long c2 = threads.getCurrentThreadCpuTime();
            long t2 = System.nanoTime();
            map.batch().forEachOneByOne(oneByOne);
            long perKeyMs = (System.nanoTime() - t2) / 1_000_000;
            long perKeyCpuMs = (threads.getCurrentThreadCpuTime() - c2) / 1_000_000;
            oneByOne.assertEveryKeyOnce("key by key");

            System.out.println("filled 1,000,000 entries with batch().update in " + fillMs + " ms");
            System.out.println("batch iteration of 1,000,000 entries: " + batchMs + " ms, per-key: " + perKeyMs + " ms");
            System.out.println("  (CPU time of the iterating thread: batch " + batchCpuMs + " ms, per-key " + perKeyCpuMs
                    + " ms)");
            assertTrue(batchCpuMs < perKeyCpuMs, "batches (" + batchCpuMs + " ms CPU) cheaper than key by key ("
                    + perKeyCpuMs + " ms CPU)");
            assertTrue(batchMs < perKeyMs, "batches (" + batchMs + " ms) faster than key by key (" + perKeyMs + " ms)");

            BatchCursor cursor = new BatchCursor();
            List<MapEntry> first = map.batch().lookup(cursor, 10);
            assertTrue(first.size() >= 1 && first.size() <= 10, "a cursor walk takes at most what it is asked for"
                    + " (whole hash buckets only): " + first.size());
        }
    }
}
