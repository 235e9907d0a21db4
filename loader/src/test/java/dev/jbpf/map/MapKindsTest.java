package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfPermissionException;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.internal.Errno;
import dev.jbpf.testing.KernelTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every common map kind created from Java, read and written through the real syscalls. */
@KernelTest
class MapKindsTest {

    static byte[] u32(int v) {
        return Codec.INT.encode(v);
    }

    static byte[] u64(long v) {
        return Codec.LONG.encode(v);
    }

    @Test
    void perCpuHashSumsEveryCpu() {
        for (MapType type : List.of(MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH, MapType.PERCPU_ARRAY)) {
            try (BpfMap map = BpfMap.create(type, "jbpf_t_sum", 4, 8, 8)) {
                int cpus = map.possibleCpus();
                List<byte[]> values = new ArrayList<>();
                for (int cpu = 0; cpu < cpus; cpu++) {
                    values.add(u64(10L + cpu));
                }
                map.updatePerCpu(u32(3), values, UpdateFlag.ANY);
                TypedMap<Integer, Long> typed = map.typed(Codec.INT, Codec.LONG);
                long expected = 10L * cpus + (long) cpus * (cpus - 1) / 2;
                assertEquals(expected, typed.sumPerCpu(3), type + ": sum of " + typed.getPerCpu(3));
                assertEquals(0L, typed.sumPerCpu(5), type + ": an absent key (or an untouched array slot) sums to 0");
                typed.put(4, 2L);
                assertEquals(2L * cpus, typed.sumPerCpu(4), type + ": put stores on every CPU");
            }
        }
        try (BpfMap strings = BpfMap.create(MapType.PERCPU_HASH, "jbpf_t_sums", 4, 8, 4)) {
            TypedMap<Integer, String> typed = strings.typed(Codec.INT, Codec.string(8));
            typed.put(1, "x");
            assertThrows(UnsupportedOperationException.class, () -> typed.sumPerCpu(1));
        }
        try (BpfMap plain = BpfMap.create(MapType.HASH, "jbpf_t_sump", 4, 8, 4)) {
            assertThrows(UnsupportedOperationException.class, () -> plain.typed(Codec.INT, Codec.LONG).sumPerCpu(1));
        }
    }

    @Test
    void lruPerCpuHashEvictsInsteadOfFailing() {
        try (BpfMap map = BpfMap.create(MapType.LRU_PERCPU_HASH, "jbpf_t_lrupc", 4, 8, 32)) {
            assertTrue(map.isPerCpu());
            TypedMap<Integer, Long> typed = map.typed(Codec.INT, Codec.LONG);
            for (int i = 0; i < 500; i++) {
                typed.put(i, (long) i);
            }
            int size = typed.keys().size();
            assertTrue(size > 0 && size < 500, "LRU kept " + size + " of 500");
            assertEquals(Collections.nCopies(map.possibleCpus(), 499L), typed.getPerCpu(499), "the newest stays");
        }
    }

    @Test
    void lpmTrieFindsTheLongestPrefix() {
        try (BpfMap trie = BpfMap.create(MapType.LPM_TRIE, "jbpf_t_lpm", LpmKey.keySize(4), 8, 16)) {
            assertEquals(BpfConstants.BPF_F_NO_PREALLOC, trie.flags() & BpfConstants.BPF_F_NO_PREALLOC,
                    "created with the flag the kernel requires of tries");
            TypedMap<LpmKey, Long> routes = trie.typed(LpmKey.codec(4), Codec.LONG);
            routes.put(LpmKey.ipv4("10.0.0.0", 8), 8L);
            routes.put(LpmKey.ipv4("10.1.0.0", 16), 16L);
            routes.put(LpmKey.ipv4("10.1.2.0", 24), 24L);
            assertEquals(Optional.of(24L), routes.get(LpmKey.ipv4("10.1.2.3", 32)));
            assertEquals(Optional.of(16L), routes.get(LpmKey.ipv4("10.1.9.9", 32)));
            assertEquals(Optional.of(8L), routes.get(LpmKey.ipv4("10.200.0.1", 32)));
            assertEquals(Optional.empty(), routes.get(LpmKey.ipv4("192.168.0.1", 32)));
            assertEquals(Optional.of(16L), routes.get(LpmKey.ipv4("10.1.2.3", 20)), "a /20 query ignores the /24");
            assertEquals(java.util.Set.of(LpmKey.ipv4("10.0.0.0", 8), LpmKey.ipv4("10.1.0.0", 16),
                    LpmKey.ipv4("10.1.2.0", 24)), java.util.Set.copyOf(routes.keys()));
            assertEquals(3, routes.toMap().size());
            assertTrue(routes.remove(LpmKey.ipv4("10.1.2.0", 24)));
            assertEquals(Optional.of(16L), routes.get(LpmKey.ipv4("10.1.2.3", 32)), "falls back to the /16");
            assertThrows(IllegalArgumentException.class, () -> routes.get(LpmKey.ipv6("2001:db8::", 32)),
                    "an IPv6 key in an IPv4 trie");
        }
        try (BpfMap trie6 = BpfMap.create(MapType.LPM_TRIE, "jbpf_t_lpm6", LpmKey.keySize(16), 4, 16)) {
            TypedMap<LpmKey, Integer> routes = trie6.typed(LpmKey.codec(16), Codec.INT);
            routes.put(LpmKey.ipv6("2001:db8::", 32), 32);
            routes.put(LpmKey.ipv6("2001:db8:1::", 48), 48);
            assertEquals(Optional.of(48), routes.get(LpmKey.ipv6("2001:db8:1::5", 128)));
            assertEquals(Optional.of(32), routes.get(LpmKey.ipv6("2001:db8:2::5", 128)));
            assertEquals(Optional.empty(), routes.get(LpmKey.ipv6("::1", 128)));
        }
    }

    @Test
    void lpmKeys() {
        LpmKey key = LpmKey.ipv4("10.1.0.0", 16);
        assertEquals(16, key.prefixLength());
        assertArrayEquals(new byte[] {10, 1, 0, 0}, key.data());
        assertArrayEquals(new byte[] {16, 0, 0, 0, 10, 1, 0, 0}, key.encode(), "prefix length host-endian, data in network order");
        assertEquals(key, LpmKey.decode(key.encode()));
        assertEquals("10.1.0.0/16", key.toString());
        assertEquals(8, LpmKey.keySize(4));
        assertEquals(20, LpmKey.ipv6("::ffff:1.2.3.4", 128).encode().length);
        assertEquals("0:0:0:0:0:ffff:102:304/128", LpmKey.ipv6("::ffff:1.2.3.4", 128).toString());
        assertEquals("2001:db8:0:0:0:0:0:0/32", LpmKey.ipv6("2001:db8::", 32).toString());
        assertEquals("0a0b0c/20", new LpmKey(20, new byte[] {10, 11, 12}).toString());
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("10.1.0.0", 33));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("10.1.0.256", 8));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv4("example.com", 8), "no name lookups");
        assertThrows(IllegalArgumentException.class, () -> LpmKey.ipv6("10.1.0.0", 8));
        assertThrows(IllegalArgumentException.class, () -> new LpmKey(-1, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> LpmKey.codec(4).encode(LpmKey.ipv6("::", 0)));
    }

    @Test
    void queueIsFirstInFirstOutAndStackLastInFirstOut() {
        try (BpfMap queue = BpfMap.create(MapType.QUEUE, "jbpf_t_queue", 0, 8, 3);
                BpfMap stack = BpfMap.create(MapType.STACK, "jbpf_t_stack", 0, 8, 3)) {
            TypedQueue<Long> q = queue.asQueue().typed(Codec.LONG);
            TypedQueue<Long> s = stack.asQueue().typed(Codec.LONG);
            assertEquals(Optional.empty(), q.pop());
            assertEquals(Optional.empty(), s.peek());
            for (long v = 1; v <= 3; v++) {
                q.push(v);
                s.push(v);
            }
            BpfException full = assertThrows(BpfException.class, () -> q.push(4L));
            assertEquals(Errno.E2BIG, full.errno());
            assertEquals(Optional.of(1L), q.peek());
            assertEquals(Optional.of(3L), s.peek());
            assertEquals(Optional.of(1L), q.pop());
            assertEquals(Optional.of(3L), s.pop());
            q.push(4L);
            q.push(5L, UpdateFlag.EXIST); // full: drops the oldest (2)
            assertEquals(List.of(3L, 4L, 5L), q.drain());
            assertEquals(List.of(2L, 1L), s.drain());
            assertEquals(Optional.empty(), queue.asQueue().pop());

            QueueMap raw = queue.asQueue();
            assertSame(queue, raw.map());
            assertThrows(IllegalArgumentException.class, () -> raw.push(new byte[4]), "wrong value size");
            assertThrows(IllegalArgumentException.class, () -> raw.push(u64(1), UpdateFlag.NO_EXIST));
            assertThrows(UnsupportedOperationException.class, () -> queue.lookup(new byte[0]));
            assertThrows(UnsupportedOperationException.class, () -> queue.typed(Codec.INT, Codec.LONG));
            assertThrows(IllegalArgumentException.class, () -> raw.typed(Codec.INT));
            assertThrows(IllegalArgumentException.class, queue::asBloomFilter);
            queue.close();
            assertThrows(IllegalStateException.class, raw::pop, "the view lives as long as its map");
            assertThrows(IllegalStateException.class, queue::asQueue);
        }
        try (BpfMap hash = BpfMap.create(MapType.HASH, "jbpf_t_nq", 4, 8, 4)) {
            IllegalArgumentException notAQueue = assertThrows(IllegalArgumentException.class, hash::asQueue);
            assertEquals("asQueue jbpf_t_nq: not for a hash map (only queue, stack)", notAQueue.getMessage());
            IllegalArgumentException notABloomFilter = assertThrows(IllegalArgumentException.class, hash::asBloomFilter);
            assertEquals("asBloomFilter jbpf_t_nq: not for a hash map (only bloom_filter)", notABloomFilter.getMessage());
        }
    }

    @Test
    void bloomFilterHasNoFalseNegatives() {
        MapOptions hashes = MapOptions.DEFAULT.withMapExtra(3);
        try (BpfMap bloom = BpfMap.create(MapType.BLOOM_FILTER, "jbpf_t_bloom", 0, 4, 1000, hashes)) {
            BloomFilterMap filter = bloom.asBloomFilter();
            for (int i = 0; i < 50; i++) {
                filter.push(u32(i * 7));
            }
            int falsePositives = 0;
            for (int i = 0; i < 50; i++) {
                assertTrue(filter.mightContain(u32(i * 7)), "pushed " + i * 7);
                falsePositives += filter.mightContain(u32(1_000_000 + i)) ? 1 : 0;
            }
            assertTrue(falsePositives < 10, falsePositives + " of 50 values never pushed look present");
            assertThrows(IllegalArgumentException.class, bloom::asQueue, "no pop, peek on a bloom filter");
            assertThrows(IllegalArgumentException.class, () -> filter.push(u64(1)), "wrong value size");
            assertThrows(IllegalArgumentException.class, () -> filter.mightContain(new byte[3]));
        }
        BpfException tooManyHashes = assertThrows(BpfException.class, () -> BpfMap.create(MapType.BLOOM_FILTER,
                "jbpf_t_bloom2", 0, 4, 100, MapOptions.DEFAULT.withMapExtra(16)));
        assertEquals(Errno.EINVAL, tooManyHashes.errno(), "map_extra reaches the kernel");
    }

    @Test
    void perfEventArrayTakesPerfEventFds() throws Throwable {
        try (BpfMap perf = BpfMap.create(MapType.PERF_EVENT_ARRAY, "jbpf_t_perf", 4, 4, cpus())) {
            assertEquals(MapType.PERF_EVENT_ARRAY, perf.type());
            int event = PerfEvents.openBpfOutput(0);
            try {
                perf.update(u32(0), u32(event));
                assertTrue(perf.delete(u32(0)), "the kernel held the event under CPU 0");
                assertFalse(perf.delete(u32(0)));
                perf.update(u32(0), u32(event));
                BpfException lookup = assertThrows(BpfException.class, () -> perf.lookup(u32(0)));
                assertTrue(lookup.errno() == Errno.ENOTSUPP || lookup.errno() == Errno.EOPNOTSUPP, lookup.getMessage());
            } finally {
                dev.jbpf.internal.Fd.close(event);
            }
            try (BpfMap notAnEvent = BpfMap.create(MapType.HASH, "jbpf_t_notev", 4, 4, 1)) {
                assertThrows(BpfException.class, () -> perf.update(u32(1), u32(notAnEvent.fd())),
                        "a map fd is no perf event");
            }
            try (BpfMap byId = BpfMap.openById(perf.id())) {
                assertEquals(MapType.PERF_EVENT_ARRAY, byId.type());
                assertEquals(cpus(), byId.maxEntries());
            }
        }
    }

    static int cpus() {
        return MapNative.possibleCpus();
    }

    @Test
    void mapOfMapsCreatedFromJava() {
        try (BpfMap template = BpfMap.create(MapType.ARRAY, "jbpf_t_tmpl", 4, 8, 4);
                BpfMap outerArray = BpfMap.create(MapType.ARRAY_OF_MAPS, "jbpf_t_aom", 4, 4, 2,
                        MapOptions.DEFAULT.withInnerMap(template));
                BpfMap outerHash = BpfMap.create(MapType.HASH_OF_MAPS, "jbpf_t_hom", 4, 4, 2,
                        MapOptions.DEFAULT.withInnerMap(template));
                BpfMap inner = BpfMap.create(MapType.ARRAY, "jbpf_t_inner", 4, 8, 4);
                BpfMap misfit = BpfMap.create(MapType.ARRAY, "jbpf_t_misfit", 4, 4, 4)) {
            inner.update(u32(2), u64(42));
            outerArray.update(u32(1), u32(inner.fd()));
            outerHash.update(u32(77), u32(inner.fd()));
            assertEquals(inner.id(), Codec.INT.decode(outerArray.lookup(u32(1)).orElseThrow()), "read back as an id");
            try (BpfMap viaArray = outerArray.innerMap(u32(1)).orElseThrow();
                    BpfMap viaHash = outerHash.innerMap(u32(77)).orElseThrow()) {
                assertEquals(inner.id(), viaArray.id());
                assertEquals(42L, Codec.LONG.decode(viaHash.lookup(u32(2)).orElseThrow()));
            }
            assertTrue(outerArray.innerMap(u32(0)).isEmpty());
            assertTrue(outerHash.innerMap(u32(1)).isEmpty());
            BpfException wrongShape = assertThrows(BpfException.class, () -> outerArray.update(u32(0), u32(misfit.fd())));
            assertEquals(Errno.EINVAL, wrongShape.errno(), "the inner map must match the template");
            assertTrue(outerHash.delete(u32(77)));
        }
        assertThrows(IllegalArgumentException.class, () -> BpfMap.create(MapType.ARRAY_OF_MAPS, "jbpf_t_noinner", 4,
                4, 2));
        try (BpfMap template = BpfMap.create(MapType.ARRAY, "jbpf_t_tmpl2", 4, 8, 4)) {
            assertThrows(IllegalArgumentException.class, () -> BpfMap.create(MapType.HASH, "jbpf_t_x", 4, 4, 2,
                    MapOptions.DEFAULT.withInnerMap(template)));
            BpfMap closed = BpfMap.create(MapType.ARRAY, "jbpf_t_closed", 4, 8, 4);
            closed.close();
            assertThrows(IllegalArgumentException.class, () -> BpfMap.create(MapType.ARRAY_OF_MAPS, "jbpf_t_y", 4, 4, 2,
                    MapOptions.DEFAULT.withInnerMap(closed)));
        }
    }

    @Test
    void frozenMapRefusesWritesFromUserSpace() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_frozen", 4, 8, 8)) {
            map.update(u32(1), u64(11));
            assertFalse(map.isFrozen());
            map.freeze();
            assertTrue(map.isFrozen());
            BpfException update = assertThrows(BpfException.class, () -> map.update(u32(2), u64(22)));
            assertEquals(Errno.EPERM, update.errno());
            assertInstanceOf(BpfPermissionException.class, update);
            assertTrue(update.getMessage().contains("frozen"), update.getMessage());
            assertEquals(Errno.EPERM, assertThrows(BpfException.class, () -> map.delete(u32(1))).errno());
            assertEquals(Errno.EPERM, assertThrows(BpfException.class,
                    () -> map.batch().update(List.of(u32(3)), List.of(u64(33)))).errno());
            assertEquals(11L, Codec.LONG.decode(map.lookup(u32(1)).orElseThrow()), "reads still work");
            assertTrue(map.lookup(u32(2)).isEmpty(), "nothing was written");
            try (BpfMap again = BpfMap.openById(map.id())) {
                assertTrue(again.isFrozen(), "frozen is the map's state, seen through any fd");
                assertEquals(Errno.EPERM, assertThrows(BpfException.class, () -> again.update(u32(2), u64(2))).errno());
            }
            BpfException twice = assertThrows(BpfException.class, map::freeze);
            assertTrue(twice.errno() == Errno.EPERM || twice.errno() == Errno.EBUSY, twice.getMessage());
        }
        try (BpfMap queue = BpfMap.create(MapType.QUEUE, "jbpf_t_fq", 0, 8, 4)) {
            queue.asQueue().push(u64(1));
            queue.freeze();
            assertEquals(Errno.EPERM, assertThrows(BpfException.class, () -> queue.asQueue().push(u64(2))).errno());
        }
    }

    @Test
    void readOnlyFlagReachesTheKernel() {
        MapOptions readOnly = MapOptions.DEFAULT.withFlags(BpfConstants.BPF_F_RDONLY);
        try (BpfMap map = BpfMap.create(MapType.ARRAY, "jbpf_t_rdonly", 4, 8, 2, readOnly)) {
            assertTrue(map.lookup(u32(0)).isPresent());
            BpfException write = assertThrows(BpfException.class, () -> map.update(u32(0), u64(1)));
            assertEquals(Errno.EPERM, write.errno());
            assertTrue(write.getMessage().contains("read-only"), write.getMessage());
        }
    }

    @Test
    void hashAndArrayStillRoundTrip() {
        try (BpfMap hash = BpfMap.create(MapType.HASH, "jbpf_t_h", 4, 8, 16, MapOptions.DEFAULT.withFlags(
                BpfConstants.BPF_F_NO_PREALLOC));
                BpfMap array = BpfMap.create(MapType.ARRAY, "jbpf_t_a", 4, 8, 4)) {
            assertEquals(BpfConstants.BPF_F_NO_PREALLOC, hash.flags());
            TypedMap<Integer, Long> h = hash.typed(Codec.INT, Codec.LONG);
            TypedMap<Integer, Long> a = array.typed(Codec.INT, Codec.LONG);
            h.putAll(Map.of(1, 10L, 2, 20L));
            a.putAll(Map.of(0, 5L, 3, 35L));
            assertEquals(Map.of(1, 10L, 2, 20L), h.toMap());
            assertEquals(Map.of(0, 5L, 1, 0L, 2, 0L, 3, 35L), a.toMap());
        }
    }
}
