package dev.jbpf.exporter;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a histogram's bucket index (the last label of its map key) becomes an upper bound, as
 * ebpf_exporter's {@code bucket_type}; every bound is then multiplied by {@code bucket_multiplier}.
 */
public enum BucketType {
    /** Bucket {@code i} holds values up to {@code 2^i}. */
    EXP2,
    /** Bucket 0 holds zero, bucket {@code i > 0} values up to {@code 2^(i-1)}. */
    EXP2ZERO,
    /** Bucket {@code i} holds values up to {@code i}. */
    LINEAR,
    /** The keys listed in {@code bucket_keys} are the buckets, each its own upper bound. */
    FIXED;

    /** The YAML spelling ("exp2zero"). */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<BucketType> ofYaml(String text) {
        return Arrays.stream(values()).filter(t -> t.yamlName().equals(text)).findFirst();
    }

    /** The upper bound of bucket {@code index} before the multiplier. */
    double upperBound(double index) {
        return switch (this) {
            case EXP2 -> Math.pow(2, index);
            case EXP2ZERO -> index == 0 ? 0 : Math.pow(2, index - 1);
            case LINEAR, FIXED -> index;
        };
    }
}
