package dev.jbpf.map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** Pure Java: codecs, map types, entries. Runs without privileges. */
@UnitTest
class CodecTest {

    @Test
    void numbersAreLittleEndian() {
        assertArrayEquals(new byte[] {0x78, 0x56, 0x34, 0x12}, Codec.INT.encode(0x12345678));
        assertEquals(0x12345678, Codec.INT.decode(new byte[] {0x78, 0x56, 0x34, 0x12}));
        assertEquals(-1, Codec.INT.decode(new byte[] {-1, -1, -1, -1}));
        assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, (byte) 0x80}, Codec.LONG.encode(0x8000_0000_0000_0001L));
        assertEquals(Long.MIN_VALUE + 1, Codec.LONG.decode(Codec.LONG.encode(Long.MIN_VALUE + 1)));
        assertArrayEquals(new byte[] {0x34, 0x12}, Codec.SHORT.encode((short) 0x1234));
        assertEquals((byte) 7, Codec.BYTE.decode(Codec.BYTE.encode((byte) 7)));
        assertEquals(4, Codec.INT.size());
        assertEquals(8, Codec.LONG.size());
        assertEquals(2, Codec.SHORT.size());
        assertEquals(1, Codec.BYTE.size());
    }

    @Test
    void wrongLengthsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Codec.INT.decode(new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> Codec.bytes(4).encode(new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> Codec.string(4).encode("hello"));
        assertThrows(IllegalArgumentException.class, () -> Codec.bytes(0));
    }

    @Test
    void stringsAreNulPadded() {
        Codec<String> comm = Codec.string(16);
        byte[] encoded = comm.encode("java");
        assertEquals(16, encoded.length);
        assertEquals(0, encoded[4]);
        assertEquals("java", comm.decode(encoded));
        assertEquals("abcd", Codec.string(4).decode(Codec.string(4).encode("abcd")));
    }

    @Test
    void bytesAreCopied() {
        byte[] raw = {1, 2, 3};
        byte[] encoded = Codec.bytes(3).encode(raw);
        raw[0] = 9;
        assertEquals(1, encoded[0]);
    }

    @Test
    void mapTypesFollowTheKernelNumbers() {
        assertEquals(MapType.HASH, MapType.of(1));
        assertEquals(MapType.RINGBUF, MapType.of(27));
        assertEquals(MapType.ARENA, MapType.of(33));
        assertEquals(MapType.UNKNOWN, MapType.of(999));
        assertEquals(MapType.UNKNOWN, MapType.of(-3));
        assertEquals("percpu_array", MapType.PERCPU_ARRAY.displayName());
        assertEquals(true, MapType.LRU_PERCPU_HASH.isPerCpu());
        assertEquals(false, MapType.LRU_HASH.isPerCpu());
    }

    @Test
    void mapTypesMatchTheGeneratedConstants() throws Exception {
        Class<?> constants = Class.forName("dev.jbpf.bindings.BpfConstants");
        int checked = 0;
        for (MapType type : MapType.values()) {
            if (type == MapType.UNKNOWN) {
                continue;
            }
            java.lang.reflect.Field field;
            try {
                field = constants.getField("BPF_MAP_TYPE_" + type.name());
            } catch (NoSuchFieldException e) {
                continue; // older uapi header than the enum
            }
            assertEquals(((Number) field.get(null)).intValue(), type.value(), type.name());
            checked++;
        }
        assertEquals(true, checked > 25, "only " + checked + " map types found in BpfConstants");
    }

    @Test
    void updateFlagsAreTheKernelValues() {
        assertEquals(0, UpdateFlag.ANY.value());
        assertEquals(1, UpdateFlag.NO_EXIST.value());
        assertEquals(2, UpdateFlag.EXIST.value());
    }

    @Test
    void entriesCompareByContent() {
        MapEntry a = new MapEntry(new byte[] {1}, new byte[] {2}, null);
        MapEntry b = new MapEntry(new byte[] {1}, new byte[] {2}, null);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }
}
