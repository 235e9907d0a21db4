package dev.jbpf.exporter;

import java.util.Map;
import java.util.TreeMap;

/**
 * One histogram as ebpf_exporter builds it from the map entries of one label set: the
 * configured buckets (missing ones as 0) with cumulative counts, a count that is the sum of the
 * configured buckets only, and a sum read from the key after the last bucket. A value.
 *
 * @param cumulative upper bound (already multiplied) to the count of values up to it, ascending
 * @param count what the configured buckets hold together (the {@code +Inf} bucket and {@code _count})
 * @param sum the value under the key {@code bucket_max + 1} (fixed: the last key + 1), multiplied
 */
record HistogramBuckets(TreeMap<Double, Long> cumulative, long count, double sum) {

    /**
     * @param counts bucket index (the last label's value) to the count the map holds for it
     */
    static HistogramBuckets of(Map<Double, Long> counts, HistogramConfig histogram) {
        TreeMap<Double, Long> cumulative = new TreeMap<>();
        long count = 0;
        double multiplier = histogram.bucketMultiplier();
        double sumKey;
        if (histogram.bucketType() == BucketType.FIXED) {
            for (double key : histogram.bucketKeys()) {
                count += counts.getOrDefault(key, 0L);
                cumulative.put(histogram.bucketType().upperBound(key) * multiplier, count);
            }
            sumKey = histogram.bucketKeys().getLast() + 1;
        } else {
            for (int index = histogram.bucketMin(); index <= histogram.bucketMax(); index++) {
                count += counts.getOrDefault((double) index, 0L);
                cumulative.put(histogram.bucketType().upperBound(index) * multiplier, count);
            }
            sumKey = histogram.bucketMax() + 1;
        }
        double sum = counts.getOrDefault(sumKey, 0L) * multiplier;
        return new HistogramBuckets(cumulative, count, sum);
    }

    /** The bounds, ascending, ending with +Inf: what the Prometheus client's classic buckets take. */
    double[] upperBounds() {
        double[] bounds = new double[cumulative.size() + 1];
        int i = 0;
        for (double bound : cumulative.keySet()) {
            bounds[i++] = bound;
        }
        bounds[i] = Double.POSITIVE_INFINITY;
        return bounds;
    }

    /** The count of each bucket alone (not cumulative), +Inf last (0: count covers the buckets only). */
    long[] bucketCounts() {
        long[] counts = new long[cumulative.size() + 1];
        long previous = 0;
        int i = 0;
        for (long running : cumulative.values()) {
            counts[i++] = Math.max(0, running - previous);
            previous = Math.max(previous, running);
        }
        counts[i] = 0;
        return counts;
    }
}
