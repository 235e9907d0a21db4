package dev.jbpf.map;

import dev.jbpf.testing.VmTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.internal.Errno;
import dev.jbpf.testing.KernelTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Batch lookups, updates and deletes against the kernel, and their key-by-key fallbacks. */
@KernelTest
@VmTest
class BatchTest {

    static byte[] u32(int v) {
        return Codec.INT.encode(v);
    }

    static byte[] u64(long v) {
        return Codec.LONG.encode(v);
    }

    static void fill(BpfMap map, int from, int to) {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = from; i < to; i++) {
            keys.add(u32(i));
            values.add(u64(i * 10L));
        }
        map.batch().update(keys, values);
    }

    /** Walks map with batch().lookup(cursor, chunk): key → value, failing on a key seen twice. */
    static Map<Integer, Long> walk(BpfMap map, int chunk, boolean delete, List<Integer> chunkSizes) {
        Map<Integer, Long> seen = new LinkedHashMap<>();
        BatchCursor cursor = new BatchCursor();
        int calls = 0;
        while (!cursor.isDone()) {
            List<MapEntry> entries = delete ? map.batch().lookupAndDelete(cursor, chunk) : map.batch().lookup(cursor, chunk);
            chunkSizes.add(entries.size());
            for (MapEntry e : entries) {
                Long previous = seen.put(Codec.INT.decode(e.key()), Codec.LONG.decode(e.value()));
                assertEquals(null, previous, "key " + Codec.INT.decode(e.key()) + " came twice");
            }
            assertTrue(++calls < 10_000, "the walk does not end");
        }
        assertEquals(List.of(), delete ? map.batch().lookupAndDelete(cursor, chunk) : map.batch().lookup(cursor, chunk),
                "a finished cursor gives nothing");
        return seen;
    }

    static Map<Integer, Long> expected(int from, int to) {
        Map<Integer, Long> expected = new HashMap<>();
        for (int i = from; i < to; i++) {
            expected.put(i, i * 10L);
        }
        return expected;
    }

    @Test
    void hashLookupBatchSeesEveryEntryOnce() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bh", 4, 8, 1000)) {
            fill(map, 0, 700);
            List<Integer> sizes = new ArrayList<>();
            assertEquals(expected(0, 700), walk(map, 37, false, sizes));
            assertTrue(sizes.stream().allMatch(n -> n <= 37 + 8), "chunks of about 37: " + sizes);
            assertFalse(map.batch().lookupUnsupported());
            assertEquals(700, map.keys().size());
        }
    }

    @Test
    void bucketsLargerThanTheChunkGrowIt() {
        // 200 keys in 256 buckets: some buckets hold several, more than a chunk of 1 (ENOSPC)
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bspc", 4, 8, 256)) {
            fill(map, 0, 200);
            List<Integer> sizes = new ArrayList<>();
            assertEquals(expected(0, 200), walk(map, 1, false, sizes));
            assertTrue(sizes.stream().anyMatch(n -> n > 1), "a bucket of several entries came whole: " + sizes);
            sizes.clear();
            assertEquals(expected(0, 200), walk(map, 1, true, sizes), "the same for lookup and delete");
            assertTrue(map.keys().isEmpty());
        }
    }

    @Test
    void arrayAndPerCpuBatches() {
        try (BpfMap array = BpfMap.create(MapType.ARRAY, "jbpf_t_ba", 4, 8, 50)) {
            fill(array, 0, 50);
            List<Integer> sizes = new ArrayList<>();
            Map<Integer, Long> seen = walk(array, 16, false, sizes);
            assertEquals(expected(0, 50), seen);
            assertEquals(IntStream.range(0, 50).boxed().toList(), List.copyOf(seen.keySet()), "arrays walk in index order");
            assertEquals(List.of(16, 16, 16, 2), sizes.subList(0, 4));
            BpfException noDelete = assertThrows(BpfException.class,
                    () -> array.batch().lookupAndDelete(new BatchCursor(), 10), "arrays cannot delete");
            assertTrue(noDelete.errno() == Errno.EINVAL || noDelete.errno() == Errno.ENOTSUPP, noDelete.getMessage());
            assertThrows(BpfException.class, () -> array.batch().delete(List.of(u32(1))));
        }
        for (MapType type : List.of(MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH)) {
            try (BpfMap perCpu = BpfMap.create(type, "jbpf_t_bpc", 4, 4, 20)) {
                int cpus = perCpu.possibleCpus();
                List<byte[]> keys = new ArrayList<>();
                List<byte[]> values = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    byte[] raw = new byte[perCpu.valueBufferSize()];
                    for (int cpu = 0; cpu < cpus; cpu++) {
                        System.arraycopy(u32(i * 100 + cpu), 0, raw, cpu * 8, 4);
                    }
                    keys.add(u32(i));
                    values.add(raw);
                }
                perCpu.batch().update(keys, values);
                int n = 0;
                BatchCursor cursor = new BatchCursor();
                while (!cursor.isDone()) {
                    for (MapEntry e : perCpu.batch().lookup(cursor, 6)) {
                        int key = Codec.INT.decode(e.key());
                        assertEquals(cpus, e.perCpuValues().size());
                        for (int cpu = 0; cpu < cpus; cpu++) {
                            assertEquals(key * 100 + cpu, Codec.INT.decode(e.perCpuValues().get(cpu)), type + " cpu " + cpu);
                        }
                        n++;
                    }
                }
                assertEquals(20, n, type.displayName());
                assertEquals(cpus * 3L * 100 + (long) cpus * (cpus - 1) / 2,
                        perCpu.typed(Codec.INT, Codec.INT).sumPerCpu(3), type.displayName());
            }
        }
    }

    @Test
    void lookupAndDeleteBatchEmptiesTheMap() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bld", 4, 8, 512)) {
            fill(map, 0, 300);
            List<Integer> sizes = new ArrayList<>();
            assertEquals(expected(0, 300), walk(map, 64, true, sizes));
            assertTrue(map.keys().isEmpty(), "everything returned was deleted");
            fill(map, 0, 5);
            TypedMap<Integer, Long> typed = map.typed(Codec.INT, Codec.LONG);
            assertEquals(expected(0, 5), Map.copyOf(new HashMap<>(toMap(typed.drain()))));
            assertTrue(typed.toMap().isEmpty());
        }
    }

    static <K, V> Map<K, V> toMap(List<Map.Entry<K, V>> entries) {
        Map<K, V> map = new HashMap<>();
        entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    @Test
    void updateBatchHonoursFlagsAndNamesTheFailingEntry() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bu", 4, 8, 100)) {
            fill(map, 0, 10);
            List<byte[]> keys = List.of(u32(20), u32(21), u32(5), u32(22));
            List<byte[]> values = List.of(u64(1), u64(2), u64(3), u64(4));
            BpfException exists = assertThrows(BpfException.class, () -> map.batch().update(keys, values, UpdateFlag.NO_EXIST));
            assertEquals(Errno.EEXIST, exists.errno());
            assertTrue(exists.getMessage().contains("entry 2 of 4"), exists.getMessage());
            assertEquals(2L, Codec.LONG.decode(map.lookup(u32(21)).orElseThrow()), "the entries before it are stored");
            assertEquals(50L, Codec.LONG.decode(map.lookup(u32(5)).orElseThrow()), "the existing one is untouched");
            assertTrue(map.lookup(u32(22)).isEmpty(), "the ones after it are not");

            BpfException missing = assertThrows(BpfException.class,
                    () -> map.batch().update(List.of(u32(1), u32(99)), List.of(u64(7), u64(7)), UpdateFlag.EXIST));
            assertEquals(Errno.ENOENT, missing.errno());
            assertEquals(7L, Codec.LONG.decode(map.lookup(u32(1)).orElseThrow()));

            map.batch().update(List.of(u32(1), u32(2)), List.of(u64(11), u64(22)), UpdateFlag.EXIST);
            assertEquals(22L, Codec.LONG.decode(map.lookup(u32(2)).orElseThrow()));
            map.batch().update(List.of(), List.of());

            // every size is checked before anything is written
            assertThrows(IllegalArgumentException.class, () -> map.batch().update(List.of(u32(50), u32(51)),
                    List.of(u64(1), new byte[4])));
            assertTrue(map.lookup(u32(50)).isEmpty());
            assertThrows(IllegalArgumentException.class, () -> map.batch().update(List.of(u32(50)), List.of()));
            assertThrows(IllegalArgumentException.class, () -> map.batch().delete(List.of(u32(1), new byte[2])));
            assertTrue(map.lookup(u32(1)).isPresent());

            BpfException full = assertThrows(BpfException.class, () -> fill(map, 1000, 1200));
            assertEquals(Errno.E2BIG, full.errno(), full.getMessage());
        }
    }

    @Test
    void deleteBatchSkipsMissingKeys() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bdel", 4, 8, 100)) {
            fill(map, 0, 50);
            List<byte[]> keys = new ArrayList<>();
            for (int i = 40; i < 60; i++) {
                keys.add(u32(i)); // 50..59 are not there
            }
            keys.add(u32(0));
            assertEquals(11, map.batch().delete(keys));
            assertEquals(expected(1, 40), map.typed(Codec.INT, Codec.LONG).toMap());
            assertEquals(0, map.batch().delete(List.of(u32(0))));
            assertEquals(2, map.typed(Codec.INT, Codec.LONG).removeAll(List.of(1, 2, 3000)));
            assertEquals(0, map.batch().delete(List.of()));
        }
    }

    @Test
    void updateFromNativeMemoryStoresEveryEntryAndNamesTheFailingOne() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bun", 4, 8, 20_000);
             Arena arena = Arena.ofConfined()) {
            int n = 10_000;
            MemorySegment keys = arena.allocate(4L * n, 8);
            MemorySegment values = arena.allocate(8L * n, 8);
            for (int i = 0; i < n; i++) {
                keys.setAtIndex(ValueLayout.JAVA_INT, i, i);
                values.setAtIndex(ValueLayout.JAVA_LONG, i, 3L * i + 1);
            }
            map.batch().update(keys, values, n, UpdateFlag.ANY);
            assertEquals(expectedValues(n), walk(map, 4096, false, new ArrayList<>()), "every entry, read back from the kernel");

            // NO_EXIST on entries 0..2 where key 1 exists: entry 1 named, entry 0 stored first
            MemorySegment again = arena.allocate(4L * 3, 8);
            again.setAtIndex(ValueLayout.JAVA_INT, 0, n);
            again.setAtIndex(ValueLayout.JAVA_INT, 1, 1);
            again.setAtIndex(ValueLayout.JAVA_INT, 2, n + 1);
            BpfException exists = assertThrows(BpfException.class,
                    () -> map.batch().update(again, values, 3, UpdateFlag.NO_EXIST));
            assertEquals(Errno.EEXIST, exists.errno());
            assertTrue(exists.getMessage().contains("entry 1 of 3"), exists.getMessage());
            assertTrue(map.lookup(u32(n)).isPresent());
            assertTrue(map.lookup(u32(n + 1)).isEmpty());

            assertThrows(IllegalArgumentException.class, () -> map.batch().update(keys, values, n + 1, UpdateFlag.ANY),
                    "more entries than the segments hold");
            assertThrows(IllegalArgumentException.class, () -> map.batch().update(keys, values, -1, UpdateFlag.ANY));
            assertThrows(IllegalArgumentException.class, () -> map.batch().update(MemorySegment.ofArray(new byte[8]),
                    MemorySegment.ofArray(new byte[16]), 2, UpdateFlag.ANY), "heap memory cannot reach the kernel");
        }
    }

    private static Map<Integer, Long> expectedValues(int n) {
        Map<Integer, Long> expected = new HashMap<>();
        for (int i = 0; i < n; i++) {
            expected.put(i, 3L * i + 1);
        }
        return expected;
    }

    @Test
    void lpmTrieHasNoLookupAndDeleteBatchAndFallsBackKeyByKey() {
        try (BpfMap trie = BpfMap.create(MapType.LPM_TRIE, "jbpf_t_blpm", LpmKey.keySize(4), 8, 64)) {
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                keys.add(LpmKey.ipv4("10." + i + ".0.0", 16).encode());
                values.add(u64(i));
            }
            trie.batch().update(keys, values);
            Set<String> seen = new HashSet<>();
            BatchCursor cursor = new BatchCursor();
            while (!cursor.isDone()) {
                for (MapEntry e : trie.batch().lookup(cursor, 6)) {
                    LpmKey key = LpmKey.decode(e.key());
                    assertTrue(seen.add(key.toString()), "twice: " + key);
                    assertEquals("10." + Codec.LONG.decode(e.value()) + ".0.0/16", key.toString());
                }
            }
            assertEquals(20, seen.size());
            assertEquals(20, trie.keys().size());
            assertEquals(20, count(trie.entries()));

            assertEquals(5, trie.batch().delete(keys.subList(0, 5)));
            List<MapEntry> drained = new ArrayList<>();
            BatchCursor deleting = new BatchCursor();
            while (!deleting.isDone()) {
                drained.addAll(trie.batch().lookupAndDelete(deleting, 4));
            }
            assertEquals(15, drained.size());
            assertTrue(trie.keys().isEmpty());
            assertEquals(MapBatches.Support.UNSUPPORTED, trie.batchState.lookupAndDelete,
                    "the kernel has no lookup-and-delete batch for LPM tries: jbpf learnt it on the first call");
            assertTrue(deleting.toString().contains("per key"), deleting.toString());
        }
    }

    @Test
    void keyByKeyWalksGiveTheSameAsBatches() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bpk", 4, 8, 100)) {
            fill(map, 0, 60);
            Map<Integer, Long> seen = new HashMap<>();
            BatchCursor cursor = new BatchCursor();
            cursor.bind(map, false);
            cursor.perKey = true; // as after an EINVAL/ENOTSUPP on the first call
            while (!cursor.isDone()) {
                List<MapEntry> chunk = map.batch().lookup(cursor, 7);
                assertTrue(chunk.size() <= 7);
                chunk.forEach(e -> assertEquals(null, seen.put(Codec.INT.decode(e.key()), Codec.LONG.decode(e.value()))));
            }
            assertEquals(expected(0, 60), seen);

            BatchCursor deleting = new BatchCursor();
            deleting.bind(map, true);
            deleting.perKey = true;
            List<MapEntry> drained = map.batch().lookupAndDelete(deleting, 25);
            assertEquals(25, drained.size());
            assertEquals(35, map.keys().size(), "what it returned it deleted");
            while (!deleting.isDone()) {
                drained.addAll(map.batch().lookupAndDelete(deleting, 25));
            }
            assertEquals(60, drained.size());
            assertTrue(map.keys().isEmpty());
        }
    }

    static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    @Test
    void forEachBatchVisitsNativeChunks() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_bfe", 4, 8, 10_000)) {
            fill(map, 0, 9000);
            Map<Integer, Long> seen = new HashMap<>();
            List<Integer> chunks = new ArrayList<>();
            long visited = map.batch().forEach((keys, values, count) -> {
                chunks.add(count);
                assertTrue(keys.isReadOnly() && values.isReadOnly());
                assertEquals(4L * count, keys.byteSize());
                assertEquals(8L * count, values.byteSize());
                for (int i = 0; i < count; i++) {
                    assertEquals(null, seen.put(keys.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i),
                            values.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i)));
                }
            });
            assertEquals(9000, visited);
            assertEquals(expected(0, 9000), seen);
            assertTrue(chunks.size() >= 3, "chunks of about " + MapBatches.CHUNK + ": " + chunks);

            Map<Integer, Long> oneByOne = new HashMap<>();
            assertEquals(9000, map.batch().forEachOneByOne((keys, values, count) -> {
                for (int i = 0; i < count; i++) {
                    oneByOne.put(keys.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i),
                            values.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i));
                }
            }));
            assertEquals(seen, oneByOne);

            IllegalStateException stop = new IllegalStateException("stop");
            assertSame(stop, assertThrows(IllegalStateException.class, () -> map.batch().forEach((k, v, n) -> {
                throw stop;
            })), "the visitor's exception ends the walk");
        }
    }

    @Test
    void cursorsBelongToOneMapAndOperation() {
        try (BpfMap a = BpfMap.create(MapType.HASH, "jbpf_t_bca", 4, 8, 8);
                BpfMap b = BpfMap.create(MapType.HASH, "jbpf_t_bcb", 4, 8, 8)) {
            fill(a, 0, 3);
            BatchCursor cursor = new BatchCursor();
            a.batch().lookup(cursor, 1);
            assertThrows(IllegalArgumentException.class, () -> b.batch().lookup(cursor, 1));
            assertThrows(IllegalArgumentException.class, () -> a.batch().lookupAndDelete(cursor, 1));
            assertThrows(IllegalArgumentException.class, () -> a.batch().lookup(new BatchCursor(), 0));
            try (BpfMap queue = BpfMap.create(MapType.QUEUE, "jbpf_t_bcq", 0, 8, 8)) {
                IllegalArgumentException noKeys = assertThrows(IllegalArgumentException.class, queue::batch);
                assertEquals("batch jbpf_t_bcq: a queue map has no keys", noKeys.getMessage());
            }
        }
    }
}
