package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.VmTest;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import org.junit.jupiter.api.Test;

/** maps.bpf.o loaded and attached: getppid() from Java moves the counters its program keeps. */
@SuppressWarnings({"try", "restricted"})
@KernelTest
@VmTest
class MapKernelEffectTest {
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final int CALLS = 100;

    static void getppid(int times) throws Throwable {
        for (int i = 0; i < times; i++) {
            int ignored = (int) GETPPID.invokeExact();
        }
    }

    static long sum(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void getppidMovesEveryCounter() throws Throwable {
        int pid = (int) ProcessHandle.current().pid();
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfMap array = object.map("array_map");
            BpfMap perCpu = object.map("percpu_array");
            BpfMap hash = object.map("hash_map");
            BpfMap lru = object.map("lru_map");
            assertEquals(MapType.ARRAY, array.type());
            assertEquals(MapType.PERCPU_ARRAY, perCpu.type());
            assertEquals(MapType.HASH, hash.type());
            assertEquals(MapType.LRU_HASH, lru.type());
            assertEquals(8, array.maxEntries());
            assertEquals(4, perCpu.maxEntries());
            assertEquals(1024, hash.maxEntries());
            assertEquals(128, lru.maxEntries());
            assertTrue(perCpu.isPerCpu());

            TypedMap<Integer, Long> arrayT = array.typed(Codec.INT, Codec.LONG);
            TypedMap<Integer, Long> perCpuT = perCpu.typed(Codec.INT, Codec.LONG);
            TypedMap<Integer, Long> hashT = hash.typed(Codec.INT, Codec.LONG);
            TypedMap<Integer, Long> lruT = lru.typed(Codec.INT, Codec.LONG);

            long array0 = arrayT.get(0).orElseThrow();
            long perCpu0 = sum(perCpuT.getPerCpu(0));
            assertEquals(0L, array0, "nothing attached yet");
            assertTrue(hashT.get(pid).isEmpty());

            try (BpfLink link = object.program("count_getppid").attach()) {
                getppid(CALLS);
            }
            long arrayDelta = arrayT.get(0).orElseThrow() - array0;
            long perCpuDelta = sum(perCpuT.getPerCpu(0)) - perCpu0;
            long own = hashT.get(pid).orElse(0L);
            long ownLru = lruT.get(pid).orElse(0L);
            assertTrue(arrayDelta >= CALLS, "array_map[0] moved by " + arrayDelta);
            assertTrue(perCpuDelta >= CALLS, "sum of percpu_array[0] moved by " + perCpuDelta);
            assertTrue(own >= CALLS, "hash_map[" + pid + "] = " + own);
            assertTrue(ownLru >= CALLS, "lru_map[" + pid + "] = " + ownLru);
            assertEquals(perCpu.possibleCpus(), perCpuT.getPerCpu(0).size());

            // detached: the counters stay put
            long frozen = arrayT.get(0).orElseThrow();
            getppid(10);
            assertEquals(frozen, (long) arrayT.get(0).orElseThrow(), "no program attached any more");

            // the raw view agrees with the typed one, through a second fd opened by id
            try (BpfMap byId = BpfMap.openById(hash.id())) {
                assertEquals(own, Codec.LONG.decode(byId.lookup(Codec.INT.encode(pid)).orElseThrow()));
                boolean found = false;
                for (MapEntry entry : byId.entries()) {
                    found |= Codec.INT.decode(entry.key()) == pid;
                }
                assertTrue(found, "own pid among hash_map's keys");
            }

            // the object owns these maps: their close() does nothing
            hash.close();
            assertTrue(hashT.get(pid).isPresent());
        }
    }

    @Test
    void objectMapsDieWithTheirObject() {
        BpfMap hash;
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            hash = object.map("hash_map");
            assertTrue(hash.id() > 0);
            assertEquals("hash_map", hash.name());
        }
        assertThrows(IllegalStateException.class, hash::name);
        assertThrows(IllegalStateException.class, () -> hash.lookup(new byte[4]));
        assertThrows(IllegalStateException.class, hash::keys);
    }

    @Test
    void openedMapsCanBeResizedBeforeLoad() {
        try (OpenedObject opened = BpfObject.open(TestSupport.bpfObject("maps"))) {
            OpenedMap hashMap = opened.map("hash_map");
            assertEquals("hash_map", hashMap.name());
            assertEquals(MapType.HASH, hashMap.type());
            assertEquals(4, hashMap.keySize());
            assertEquals(8, hashMap.valueSize());
            assertEquals(1024, hashMap.maxEntries());
            hashMap.maxEntries(2048);
            assertEquals(2048, hashMap.maxEntries());
            try (LoadedObject loaded = opened.load()) {
                assertEquals(2048, loaded.map("hash_map").maxEntries());
                assertEquals(2048, MapInfo.listAll().stream().filter(m -> m.id() == loaded.map("hash_map").id())
                        .findFirst().orElseThrow().maxEntries());
                assertThrows(IllegalStateException.class, hashMap::name, "the opened object was consumed by load");
            }
        }
    }
}
