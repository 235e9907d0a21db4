package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.Errno;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Maps created from Java in the running kernel: every operation against the real syscalls. */
@KernelTest
class BpfMapTest {

    static byte[] u32(int v) {
        return Codec.INT.encode(v);
    }

    static byte[] u64(long v) {
        return Codec.LONG.encode(v);
    }

    static long asLong(byte[] b) {
        return Codec.LONG.decode(b);
    }

    @Test
    void hashRoundTrip() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_hash", 4, 8, 64)) {
            assertEquals("jbpf_t_hash", map.name());
            assertEquals(MapType.HASH, map.type());
            assertEquals(4, map.keySize());
            assertEquals(8, map.valueSize());
            assertEquals(64, map.maxEntries());
            assertTrue(map.id() > 0);
            assertTrue(map.fd() >= 0);
            assertFalse(map.isPerCpu());
            assertTrue(map.keys().isEmpty());
            assertTrue(map.lookup(u32(1)).isEmpty());

            for (int i = 1; i <= 10; i++) {
                map.update(u32(i), u64(i * 100L), UpdateFlag.ANY);
            }
            assertEquals(1000L, asLong(map.lookup(u32(10)).orElseThrow()));
            assertEquals(10, map.keys().size());
            Set<Integer> keys = new HashSet<>();
            long sum = 0;
            for (MapEntry e : map.entries()) {
                keys.add(Codec.INT.decode(e.key()));
                sum += asLong(e.value());
                assertEquals(null, e.perCpuValues());
            }
            assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), keys);
            assertEquals(5500L, sum);

            assertTrue(map.delete(u32(3)));
            assertFalse(map.delete(u32(3)));
            assertTrue(map.lookup(u32(3)).isEmpty());
            assertEquals(9, map.keys().size());

            // the kernel's own view agrees
            MapInfo info = MapInfo.listAll().stream().filter(m -> m.id() == map.id()).findFirst().orElseThrow();
            assertEquals("jbpf_t_hash", info.name());
            assertEquals(MapType.HASH, info.type());
            assertEquals(4, info.keySize());
            assertEquals(8, info.valueSize());
            assertEquals(64, info.maxEntries());
        }
    }

    @Test
    void updateFlags() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_flags", 4, 8, 16)) {
            map.update(u32(1), u64(1), UpdateFlag.NO_EXIST);
            BpfException exists = assertThrows(BpfException.class, () -> map.update(u32(1), u64(2), UpdateFlag.NO_EXIST));
            assertEquals(Errno.EEXIST, exists.errno());
            assertEquals("update", exists.operation());
            assertEquals("jbpf_t_flags", exists.target());
            assertTrue(exists.getMessage().contains("EEXIST"), exists.getMessage());
            assertEquals(1L, asLong(map.lookup(u32(1)).orElseThrow()));

            BpfException missing = assertThrows(BpfException.class, () -> map.update(u32(2), u64(2), UpdateFlag.EXIST));
            assertEquals(Errno.ENOENT, missing.errno());
            assertInstanceOf(BpfNotFoundException.class, missing);
            assertTrue(map.lookup(u32(2)).isEmpty());

            map.update(u32(1), u64(5), UpdateFlag.EXIST);
            assertEquals(5L, asLong(map.lookup(u32(1)).orElseThrow()));
        }
    }

    @Test
    void fullMapFailsWithE2big() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_full", 4, 4, 2)) {
            map.update(u32(1), u32(1));
            map.update(u32(2), u32(2));
            BpfException full = assertThrows(BpfException.class, () -> map.update(u32(3), u32(3)));
            assertEquals(Errno.E2BIG, full.errno());
        }
    }

    @Test
    void arrayHasEveryIndex() {
        try (BpfMap map = BpfMap.create(MapType.ARRAY, "jbpf_t_array", 4, 8, 8)) {
            assertEquals(8, map.keys().size());
            List<Integer> indexes = new ArrayList<>();
            for (MapEntry e : map.entries()) {
                indexes.add(Codec.INT.decode(e.key()));
                assertEquals(0L, asLong(e.value()));
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), indexes);
            map.update(u32(5), u64(55));
            assertEquals(55L, asLong(map.lookup(u32(5)).orElseThrow()));
            assertTrue(map.lookup(u32(8)).isEmpty(), "out of range index is ENOENT");
            BpfException noDelete = assertThrows(BpfException.class, () -> map.delete(u32(5)));
            assertEquals(Errno.EINVAL, noDelete.errno());
            BpfException exists = assertThrows(BpfException.class, () -> map.update(u32(1), u64(1), UpdateFlag.NO_EXIST));
            assertEquals(Errno.EEXIST, exists.errno());
        }
    }

    @Test
    void perCpuArrayHasOneValuePerCpu() {
        try (BpfMap map = BpfMap.create(MapType.PERCPU_ARRAY, "jbpf_t_pcpu", 4, 4, 4)) {
            int cpus = map.possibleCpus();
            assertTrue(cpus >= 1);
            assertTrue(map.isPerCpu());
            assertEquals(4, map.valueSize());
            assertEquals(8 * cpus, map.valueBufferSize(), "4-byte values are padded to 8 per CPU");

            List<byte[]> values = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) {
                values.add(u32(1000 + cpu));
            }
            map.updatePerCpu(u32(2), values, UpdateFlag.ANY);
            List<byte[]> read = map.lookupPerCpu(u32(2));
            assertEquals(cpus, read.size());
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertEquals(1000 + cpu, Codec.INT.decode(read.get(cpu)));
            }
            byte[] raw = map.lookup(u32(2)).orElseThrow();
            assertEquals(8 * cpus, raw.length);
            assertEquals(1000 + cpus - 1, Codec.INT.decode(java.util.Arrays.copyOfRange(raw, 8 * (cpus - 1), 8 * (cpus - 1) + 4)));

            int seen = 0;
            for (MapEntry e : map.entries()) {
                assertEquals(cpus, e.perCpuValues().size());
                if (Codec.INT.decode(e.key()) == 2) {
                    assertEquals(1000, Codec.INT.decode(e.perCpuValues().get(0)));
                }
                seen++;
            }
            assertEquals(4, seen);

            TypedMap<Integer, Integer> typed = map.typed(Codec.INT, Codec.INT);
            typed.put(1, 7);
            assertEquals(java.util.Collections.nCopies(cpus, 7), typed.getPerCpu(1));
            assertThrows(UnsupportedOperationException.class, () -> typed.get(1));

            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> map.update(u32(0), u32(1)));
            assertTrue(wrong.getMessage().contains(String.valueOf(8 * cpus)), wrong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> map.updatePerCpu(u32(0), List.<byte[]>of(),
                    UpdateFlag.ANY));
        }
    }

    @Test
    void perCpuHashMissingKeyIsEmpty() {
        try (BpfMap map = BpfMap.create(MapType.PERCPU_HASH, "jbpf_t_pchash", 4, 8, 8)) {
            assertTrue(map.lookupPerCpu(u32(1)).isEmpty());
            map.update(u32(1), new byte[map.valueBufferSize()]);
            assertEquals(map.possibleCpus(), map.lookupPerCpu(u32(1)).size());
        }
    }

    @Test
    void lruHashEvictsInsteadOfFailing() {
        try (BpfMap map = BpfMap.create(MapType.LRU_HASH, "jbpf_t_lru", 4, 8, 64)) {
            assertEquals(MapType.LRU_HASH, map.type());
            for (int i = 0; i < 1000; i++) {
                map.update(u32(i), u64(i));
            }
            int size = map.keys().size();
            assertTrue(size > 0 && size <= 64 + 64, "LRU kept " + size);
            assertEquals(999L, asLong(map.lookup(u32(999)).orElseThrow()), "the newest entry stays");
        }
    }

    @Test
    void wrongSizesNeverReachTheKernel() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_sizes", 4, 8, 4)) {
            IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> map.lookup(new byte[3]));
            assertTrue(key.getMessage().contains("4") && key.getMessage().contains("3"), key.getMessage());
            IllegalArgumentException value = assertThrows(IllegalArgumentException.class,
                    () -> map.update(u32(1), new byte[4], UpdateFlag.ANY));
            assertTrue(value.getMessage().contains("8") && value.getMessage().contains("4"), value.getMessage());
            assertThrows(IllegalArgumentException.class, () -> map.delete(new byte[8]));
            assertThrows(IllegalArgumentException.class, () -> map.typed(Codec.LONG, Codec.LONG));
            assertThrows(IllegalArgumentException.class, () -> map.typed(Codec.INT, Codec.INT));
            assertThrows(UnsupportedOperationException.class, () -> map.lookupPerCpu(u32(1)));
            assertTrue(map.keys().isEmpty(), "nothing was written");
        }
    }

    @Test
    void typedMap() {
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_typed", 4, 16, 8)) {
            TypedMap<Integer, String> typed = map.typed(Codec.INT, Codec.string(16));
            typed.put(1, "one");
            typed.put(2, "two");
            assertEquals("one", typed.get(1).orElseThrow());
            assertTrue(typed.get(3).isEmpty());
            assertEquals(Map.of(1, "one", 2, "two"), typed.toMap());
            assertEquals(2, typed.entries().size());
            assertTrue(typed.remove(1));
            assertFalse(typed.remove(1));
            assertEquals(List.of(2), typed.keys());
        }
    }

    @Test
    void ringBufferMapHasNoKeys() {
        try (BpfMap map = BpfMap.create(MapType.RINGBUF, "jbpf_t_rb", 0, 0, 4096 * 4)) {
            assertEquals(MapType.RINGBUF, map.type());
            assertEquals(0, map.keySize());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> map.lookup(new byte[0]));
            assertTrue(e.getMessage().contains("ringbuf") && e.getMessage().contains("no keys"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, map::keys);
            assertThrows(UnsupportedOperationException.class, map::entries);
        }
    }

    @Test
    void closedMapThrows() {
        BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_closed", 4, 4, 4);
        map.close();
        map.close(); // twice is fine
        assertThrows(IllegalStateException.class, map::name);
        assertThrows(IllegalStateException.class, map::fd);
        assertThrows(IllegalStateException.class, () -> map.lookup(u32(1)));
        assertThrows(IllegalStateException.class, () -> map.update(u32(1), u32(1)));
        assertThrows(IllegalStateException.class, map::keys);
        assertThrows(IllegalStateException.class, () -> map.pin(Path.of("/sys/fs/bpf/x")));
    }

    @Test
    void badCreateNamesTheMap() {
        BpfException e = assertThrows(BpfException.class, () -> BpfMap.create(MapType.HASH, "jbpf_t_bad", 0, 8, 4));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("jbpf_t_bad"), e.getMessage());
    }

    @Test
    void pinOpenPinnedOpenById() throws IOException {
        Path dir = Path.of("/sys/fs/bpf", "jbpf-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Path pin = dir.resolve("pinned_map");
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_pin", 4, 8, 16)) {
            map.update(u32(42), u64(4242));
            map.update(u32(7), u64(77));
            map.pin(pin);
            assertTrue(Files.exists(pin));
            BpfException twice = assertThrows(BpfException.class, () -> map.pin(pin));
            assertEquals(Errno.EEXIST, twice.errno());

            try (BpfMap byPin = BpfMap.openPinned(pin); BpfMap byId = BpfMap.openById(map.id())) {
                assertEquals(map.id(), byPin.id());
                assertEquals(map.id(), byId.id());
                assertEquals("jbpf_t_pin", byPin.name());
                assertEquals(MapType.HASH, byId.type());
                assertEquals(16, byId.maxEntries());
                assertEquals(4242L, asLong(byPin.lookup(u32(42)).orElseThrow()));
                assertEquals(77L, asLong(byId.lookup(u32(7)).orElseThrow()));
                byId.update(u32(8), u64(88));
                assertEquals(88L, asLong(map.lookup(u32(8)).orElseThrow()), "same map, seen through another fd");
            }

            try (BpfMap other = BpfMap.create(MapType.HASH, "jbpf_t_other", 4, 8, 4)) {
                assertThrows(BpfException.class, () -> other.unpin(pin), "not other's pin");
            }
            map.unpin(pin);
            assertFalse(Files.exists(pin));
            assertThrows(BpfNotFoundException.class, () -> map.unpin(pin));
            assertThrows(BpfNotFoundException.class, () -> BpfMap.openPinned(pin));
        } finally {
            Files.deleteIfExists(pin);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void bpftoolSeesWhatJavaWrote() throws Exception {
        Path pin = Path.of("/sys/fs/bpf", "jbpf_t_tool_" + ProcessHandle.current().pid() + "_" + System.nanoTime());
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_tool", 4, 8, 16)) {
            for (int i = 1; i <= 5; i++) {
                map.update(u32(i * 0x01010101), u64(0x1122334455667700L + i));
            }
            map.pin(pin);
            String json;
            try {
                Process tool = new ProcessBuilder("bpftool", "map", "dump", "pinned", pin.toString(), "-j")
                        .redirectErrorStream(true).start();
                json = new String(tool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertEquals(0, tool.waitFor(), json);
            } catch (IOException e) {
                org.junit.jupiter.api.Assumptions.abort("bpftool not runnable: " + e);
                return;
            }
            int entries = 0;
            for (MapEntry e : map.entries()) {
                String expected = "{\"key\":" + hexArray(e.key()) + ",\"value\":" + hexArray(e.value()) + "}";
                assertTrue(json.contains(expected), expected + " not in " + json);
                entries++;
            }
            assertEquals(5, entries);
            assertEquals(5, json.split("\"key\"", -1).length - 1, json);
            map.unpin(pin);
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    static String hexArray(byte[] bytes) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < bytes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format("\"0x%02x\"", bytes[i] & 0xff));
        }
        return sb.append(']').toString();
    }

    @Test
    void openByUnknownIdIsNotFound() {
        assertThrows(BpfNotFoundException.class, () -> BpfMap.openById(Integer.MAX_VALUE));
    }

    @Test
    void mapInfoFindsCreatedMaps() {
        try (BpfMap map = BpfMap.create(MapType.LRU_HASH, "jbpf_t_info", 8, 24, 32)) {
            MapInfo info = MapInfo.findByName("jbpf_t_info").orElseThrow();
            assertEquals(map.id(), info.id());
            assertEquals(MapType.LRU_HASH, info.type());
            assertEquals(8, info.keySize());
            assertEquals(24, info.valueSize());
            assertEquals(32, info.maxEntries());
            assertTrue(MapInfo.listAll().contains(info));
        }
        assertTrue(MapInfo.findByName("jbpf_t_info").isEmpty(), "freed once its only fd is closed");
    }

    @Test
    void noFdLeaks() throws IOException {
        // warm up: class loading, libbpf initialisation
        try (BpfMap map = BpfMap.create(MapType.HASH, "jbpf_t_warm", 4, 4, 4)) {
            map.update(u32(1), u32(1));
            MapInfo.listAll();
        }
        long before = openFds();
        for (int i = 0; i < 200; i++) {
            try (BpfMap map = BpfMap.create(MapType.ARRAY, "jbpf_t_leak", 4, 4, 4)) {
                map.update(u32(1), u32(i));
                map.keys();
                try (BpfMap again = BpfMap.openById(map.id())) {
                    again.lookup(u32(1));
                }
            }
            if (i % 50 == 0) {
                MapInfo.listAll();
            }
        }
        assertThrows(BpfException.class, () -> BpfMap.create(MapType.HASH, "jbpf_t_bad", 0, 0, 0));
        long after = openFds();
        assertTrue(Math.abs(after - before) <= 2, "fds before " + before + ", after " + after);
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
