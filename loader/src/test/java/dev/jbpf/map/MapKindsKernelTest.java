package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * map_kinds.bpf.o's programs run on this process's getppid(2) calls and work on one map kind
 * each: what Java wrote, the kernel saw, and what the kernel wrote, Java reads.
 */
@SuppressWarnings("try")
@KernelTest
class MapKindsKernelTest {
    private static final long LPM_MISS = -1L;

    /** Loads map_kinds.bpf.o with this process as the programs' target. */
    static LoadedObject load() {
        LoadedObject object = BpfObject.open(TestSupport.bpfObject("map_kinds")).load();
        object.map("target_tgid").typed(Codec.INT, Codec.INT).put(0, KernelEffects.pid());
        return object;
    }

    @Test
    void lpmTrieLookupInTheKernelFindsTheLongestPrefix() {
        try (LoadedObject object = load()) {
            BpfMap trie = object.map("lpm");
            assertEquals(MapType.LPM_TRIE, trie.type());
            TypedMap<LpmKey, Long> routes = trie.typed(LpmKey.codec(4), Codec.LONG);
            routes.put(LpmKey.ipv4("10.0.0.0", 8), 8L);
            routes.put(LpmKey.ipv4("10.1.0.0", 16), 16L);
            routes.put(LpmKey.ipv4("10.1.2.0", 24), 24L);
            TypedMap<Integer, LpmKey> query = object.map("lpm_query").typed(Codec.INT, LpmKey.codec(4));
            TypedMap<Integer, Long> result = object.map("lpm_result").typed(Codec.INT, Codec.LONG);

            Map<String, Long> expected = new TreeMap<>(Map.of("10.1.2.3", 24L, "10.1.9.9", 16L, "10.200.0.1", 8L,
                    "192.168.0.1", LPM_MISS));
            try (BpfLink link = object.program("lpm_lookup").attach()) {
                int lookups = 0;
                for (Map.Entry<String, Long> e : expected.entrySet()) {
                    query.put(0, LpmKey.ipv4(e.getKey(), 32));
                    TestSupport.getppid(1);
                    lookups++;
                    assertEquals(lookups, result.get(1).orElseThrow(), "the program ran once per getppid");
                    assertEquals(e.getValue(), result.get(0).orElseThrow(), "the kernel's answer for " + e.getKey());
                    assertEquals(e.getValue() == LPM_MISS ? Optional.empty() : Optional.of(e.getValue()),
                            routes.get(LpmKey.ipv4(e.getKey(), 32)), "Java's lookup agrees for " + e.getKey());
                }
                routes.remove(LpmKey.ipv4("10.1.2.0", 24));
                query.put(0, LpmKey.ipv4("10.1.2.3", 32));
                TestSupport.getppid(1);
                assertEquals(16L, result.get(0).orElseThrow(), "after Java deleted the /24 the kernel finds the /16");
            }
        }
    }

    @Test
    void queueAndStackBetweenJavaAndTheKernel() {
        try (LoadedObject object = load()) {
            TypedQueue<Long> queue = object.map("queue").asQueue().typed(Codec.LONG);
            TypedQueue<Long> stack = object.map("stack").asQueue().typed(Codec.LONG);
            TypedQueue<Long> fromJava = object.map("from_java").asQueue().typed(Codec.LONG);
            TypedMap<Integer, Long> popped = object.map("popped").typed(Codec.INT, Codec.LONG);
            fromJava.push(10L);
            fromJava.push(20L);
            fromJava.push(30L);
            try (BpfLink link = object.program("queue_stack").attach()) {
                TestSupport.getppid(3);
            }
            assertEquals(3L, popped.get(0).orElseThrow(), "program runs");
            assertEquals(Optional.of(1L), queue.peek());
            assertEquals(List.of(1L, 2L, 3L), queue.drain(), "the kernel's pushes, first in first out");
            assertEquals(Optional.of(3L), stack.peek());
            assertEquals(List.of(3L, 2L, 1L), stack.drain(), "the kernel's pushes, last in first out");
            assertEquals(List.of(10L, 20L, 30L), List.of(popped.get(1).orElseThrow(), popped.get(2).orElseThrow(),
                    popped.get(3).orElseThrow()), "the kernel popped what Java pushed, in order");
            assertEquals(Optional.empty(), fromJava.peek(), "and emptied the queue");
        }
    }

    @Test
    void stackTraceOfTheSyscallIsReadAsKernelAddresses() throws IOException {
        try (LoadedObject object = load()) {
            TypedMap<Integer, Long> ids = object.map("stack_ids").typed(Codec.INT, Codec.LONG);
            try (BpfLink link = object.program("stack_id").attach()) {
                TestSupport.getppid(1);
            }
            assertEquals(1L, ids.get(1).orElseThrow(), "program runs");
            long id = ids.get(0).orElseThrow();
            assertTrue(id >= 0, "bpf_get_stackid failed: " + id);
            BpfMap stacks = object.map("stacks");
            assertEquals(MapType.STACK_TRACE, stacks.type());
            List<Long> frames = stacks.stackTrace((int) id);
            assertFalse(frames.isEmpty(), "a stack under id " + id);
            for (long address : frames) {
                assertTrue(Long.compareUnsigned(address, 0xffff800000000000L) >= 0,
                        "a kernel address: " + Long.toHexString(address));
            }
            Kallsyms symbols = Kallsyms.read();
            List<String> names = new ArrayList<>();
            for (long address : frames) {
                names.add(symbols.name(address));
            }
            System.out.println("kernel stack of getppid: " + names);
            if (symbols.hasAddresses()) {
                assertTrue(frames.stream().anyMatch(symbols::inKernelText), "a frame inside _stext.._etext: " + names);
                assertTrue(names.stream().anyMatch(n -> n.contains("syscall")), "a syscall frame among " + names);
            }
            List<Integer> used = stacks.keys().stream().map(Codec.INT::decode).toList();
            assertTrue(used.contains((int) id), "the id is among the map's keys " + used);
            int unused = java.util.stream.IntStream.range(0, 64).filter(i -> !used.contains(i)).findFirst().orElseThrow();
            assertTrue(stacks.stackTrace(unused).isEmpty(), "no stack under the unused id " + unused);
        }
    }

    @Test
    void mapInMapReachesInnerMapsJavaCreated() {
        try (LoadedObject object = load();
                BpfMap innerA = BpfMap.create(MapType.ARRAY, "jbpf_t_in_a", 4, 8, 4)) {
            BpfMap outerArray = object.map("outer_array");
            BpfMap outerHash = object.map("outer_hash");
            assertEquals(MapType.ARRAY_OF_MAPS, outerArray.type());
            assertEquals(MapType.HASH_OF_MAPS, outerHash.type());
            outerArray.update(Codec.INT.encode(1), Codec.INT.encode(innerA.fd()));
            int innerBId;
            try (BpfMap innerB = BpfMap.create(MapType.ARRAY, "jbpf_t_in_b", 4, 8, 4)) {
                outerHash.update(Codec.INT.encode(7), Codec.INT.encode(innerB.fd()));
                innerBId = innerB.id();
            } // Java's fd is gone: the outer map keeps innerB alive
            try (BpfLink link = object.program("map_in_map").attach()) {
                TestSupport.getppid(5);
            }
            assertEquals(5L, innerA.typed(Codec.INT, Codec.LONG).get(0).orElseThrow(),
                    "the program counted in the inner map Java created");
            try (BpfMap innerB = outerHash.innerMap(Codec.INT.encode(7)).orElseThrow()) {
                assertEquals(innerBId, innerB.id());
                assertEquals(5L, innerB.typed(Codec.INT, Codec.LONG).get(0).orElseThrow(),
                        "and in the one only the outer map still held");
            }
        }
    }

    @Test
    void perCpuCountersSumToTheCalls() {
        try (LoadedObject object = load()) {
            TypedMap<Integer, Long> hash = object.map("percpu_hash").typed(Codec.INT, Codec.LONG);
            TypedMap<Integer, Long> lru = object.map("lru_percpu_hash").typed(Codec.INT, Codec.LONG);
            assertEquals(MapType.LRU_PERCPU_HASH, lru.raw().type());
            try (BpfLink link = object.program("per_cpu").attach()) {
                TestSupport.getppid(7);
            }
            int pid = KernelEffects.pid();
            assertEquals(7L, hash.sumPerCpu(pid));
            assertEquals(7L, lru.sumPerCpu(pid));
            assertEquals(hash.raw().possibleCpus(), hash.getPerCpu(pid).size());
        }
    }

    /** /proc/kallsyms, sorted, to name kernel addresses. */
    record Kallsyms(long[] addresses, String[] names, long textStart, long textEnd) {
        static Kallsyms read() throws IOException {
            List<String> lines = Files.readAllLines(Path.of("/proc/kallsyms"));
            List<long[]> order = new ArrayList<>();
            List<String> names = new ArrayList<>();
            long start = 0;
            long end = 0;
            for (String line : lines) {
                String[] f = line.split("\\s+");
                if (f.length < 3) {
                    continue;
                }
                long address = Long.parseUnsignedLong(f[0], 16);
                if (f[2].equals("_stext")) {
                    start = address;
                } else if (f[2].equals("_etext")) {
                    end = address;
                }
                if (f[1].equalsIgnoreCase("t")) {
                    order.add(new long[] {address, names.size()});
                    names.add(f[2]);
                }
            }
            order.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            long[] addresses = new long[order.size()];
            String[] sorted = new String[order.size()];
            for (int i = 0; i < order.size(); i++) {
                addresses[i] = order.get(i)[0];
                sorted[i] = names.get((int) order.get(i)[1]);
            }
            return new Kallsyms(addresses, sorted, start, end);
        }

        boolean hasAddresses() {
            return textStart != 0 && textEnd != 0;
        }

        boolean inKernelText(long address) {
            return Long.compareUnsigned(address, textStart) >= 0 && Long.compareUnsigned(address, textEnd) < 0;
        }

        /** The text symbol at or below address, or its hex when none. */
        String name(long address) {
            int lo = 0;
            int hi = addresses.length - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found < 0 || addresses[found] == 0 ? Long.toHexString(address) : names[found];
        }
    }
}
