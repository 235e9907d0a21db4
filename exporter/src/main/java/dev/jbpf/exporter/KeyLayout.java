package dev.jbpf.exporter;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * How a metric's labels lie over its map's key, with ebpf_exporter's two special cases: a metric
 * without labels reads a map keyed by one u32 (key 0), and on a per-CPU map a last label named
 * {@code cpu} reads a u16 CPU number appended to the key (when it is the only label, the key is
 * u32 0, which is dropped). Pure functions.
 */
final class KeyLayout {
    private static final byte[] U32_ZERO = new byte[4];

    private KeyLayout() {
    }

    static boolean lastLabelIsCpu(List<LabelConfig> labels) {
        return !labels.isEmpty() && labels.getLast().name().equals("cpu");
    }

    /**
     * Refuses labels whose sizes and paddings do not add up to the key the map has.
     *
     * @param keyType the key's BTF type as C writes it, or null, for the message
     */
    static void check(MetricConfig metric, int keySize, boolean perCpu, Supplier<String> keyType) {
        List<LabelConfig> labels = metric.labels();
        String map = "map '" + metric.mapName() + "' has a " + keySize + "-byte key";
        if (labels.isEmpty()) {
            if (keySize != 4) {
                throw new ConfigException(metric.where(), "metric '" + metric.name() + "' has no labels, so it reads key 0 of a"
                        + " u32-keyed map, but " + map + describe(keyType) + "; add labels that describe the key");
            }
            return;
        }
        int described = labels.stream().mapToInt(l -> l.size() + l.padding()).sum();
        int expected = keySize + (perCpu && lastLabelIsCpu(labels) ? 2 : 0);
        if (perCpu && labels.size() == 1 && lastLabelIsCpu(labels)) {
            if (keySize != 4 || described != 2) {
                throw new ConfigException(labels.getFirst().where(), "a per-CPU metric whose only label is 'cpu' reads a"
                        + " u32-keyed map (key 0) with cpu as a u16 (size: 2), but " + map + describe(keyType)
                        + " and cpu has " + described + " bytes");
            }
            return;
        }
        if (described != expected) {
            throw new ConfigException(labels.getFirst().where(), "the labels of '" + metric.name() + "' describe " + described
                    + " bytes (sizes plus paddings), but " + map + describe(keyType)
                    + (expected != keySize ? " plus the 2-byte cpu" : "") + "; make them add up to " + expected);
        }
    }

    private static String describe(Supplier<String> keyType) {
        String name = keyType.get();
        return name == null ? "" : " (" + name + ")";
    }

    /**
     * The bytes the labels decode, or null for a metric without labels reading key 0 (one series
     * without labels).
     */
    static byte[] labelBytes(byte[] key, List<LabelConfig> labels, boolean perCpu) {
        if (labels.isEmpty() && Arrays.equals(key, U32_ZERO)) {
            return null;
        }
        if (perCpu && labels.size() == 1 && lastLabelIsCpu(labels) && key.length >= 4
                && Arrays.equals(key, 0, 4, U32_ZERO, 0, 4)) {
            return Arrays.copyOfRange(key, 4, key.length);
        }
        return key;
    }
}
