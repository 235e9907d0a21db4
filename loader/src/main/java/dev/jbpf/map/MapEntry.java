package dev.jbpf.map;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One key and its value, copied out of a map into Java arrays (owns no native memory).
 *
 * @param key the key, {@link BpfMap#keySize()} bytes
 * @param value the value as the kernel returns it: {@link BpfMap#valueSize()} bytes, or for
 *     per-CPU maps every CPU's value, each padded to 8 bytes, one after the other
 * @param perCpuValues for per-CPU maps one value per possible CPU ({@code valueSize()}
 *     bytes each, padding removed), index = CPU number; null for other maps
 */
public record MapEntry(byte[] key, byte[] value, List<byte[]> perCpuValues) {

    /** True when this entry came from a per-CPU map. */
    public boolean isPerCpu() {
        return perCpuValues != null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MapEntry other)) {
            return false;
        }
        if (!Arrays.equals(key, other.key) || !Arrays.equals(value, other.value)) {
            return false;
        }
        if (perCpuValues == null || other.perCpuValues == null) {
            return perCpuValues == other.perCpuValues;
        }
        if (perCpuValues.size() != other.perCpuValues.size()) {
            return false;
        }
        for (int i = 0; i < perCpuValues.size(); i++) {
            if (!Arrays.equals(perCpuValues.get(i), other.perCpuValues.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        return "MapEntry[key=" + hex.formatHex(key) + ", value=" + hex.formatHex(value) + "]";
    }
}
