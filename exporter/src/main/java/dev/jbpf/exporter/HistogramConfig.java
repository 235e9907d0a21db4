package dev.jbpf.exporter;

import java.util.List;

/**
 * An entry of {@code metrics.histograms}: the last label of the key is the bucket index; the
 * other labels make one histogram per distinct set.
 *
 * @param bucketMultiplier multiplies every bound and the sum (1 when the YAML says 0 or nothing)
 * @param bucketMin first bucket index (exp2, exp2zero, linear)
 * @param bucketMax last bucket index; the key {@code bucketMax + 1} holds the sum
 * @param bucketKeys the bucket indexes of a fixed histogram; the last key + 1 holds the sum
 * @param btfLabels {@code labels_from_btf} (its last field is the bucket index), or null
 */
public record HistogramConfig(String name, String help, BucketType bucketType, double bucketMultiplier, int bucketMin,
        int bucketMax, List<Double> bucketKeys, List<LabelConfig> labels, BtfLabelsConfig btfLabels, SourceLine where)
        implements MetricConfig {
    public HistogramConfig {
        bucketKeys = List.copyOf(bucketKeys);
        labels = List.copyOf(labels);
    }
}
