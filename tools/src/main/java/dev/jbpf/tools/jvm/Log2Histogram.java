package dev.jbpf.tools.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Counts of non-negative values in power-of-two buckets, {@code [0, 1]}, {@code [2, 3]},
 * {@code [4, 7]}, ... as bcc's histograms show latencies ({@code jbpf jvm gc}'s pause times, in
 * microseconds). Not thread-safe; a plain Java object.
 */
public final class Log2Histogram {
    /** One bucket: values from {@code low} to {@code high}, both included. */
    public record Bucket(long low, long high, long count) {
    }

    private final long[] counts = new long[64];
    private long total;

    /** Counts one value (negative values count as 0). */
    public void add(long value) {
        counts[bucket(Math.max(0, value))]++;
        total++;
    }

    private static int bucket(long value) {
        return value <= 1 ? 0 : 63 - Long.numberOfLeadingZeros(value);
    }

    /** How many values were added. */
    public long total() {
        return total;
    }

    /** The buckets from the first that has a value to the last that has one (empty when nothing was added). */
    public List<Bucket> buckets() {
        int first = 0;
        while (first < counts.length && counts[first] == 0) {
            first++;
        }
        int last = counts.length - 1;
        while (last >= 0 && counts[last] == 0) {
            last--;
        }
        List<Bucket> buckets = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            long low = i == 0 ? 0 : 1L << i;
            long high = i == 63 ? Long.MAX_VALUE : (1L << (i + 1)) - 1;
            buckets.add(new Bucket(low, high, counts[i]));
        }
        return buckets;
    }

    /**
     * The histogram as bcc prints it, one line per bucket with a bar of up to 40 stars:
     * <pre>
     *                    usecs : count     distribution
     *        512 -> 1023       : 3         |****************************************|
     * </pre>
     */
    public List<String> lines(String unit) {
        List<String> lines = new ArrayList<>();
        List<Bucket> buckets = buckets();
        long max = buckets.stream().mapToLong(Bucket::count).max().orElse(0);
        lines.add(String.format(Locale.ROOT, "%24s : %-9s %s", unit, "count", "distribution"));
        for (Bucket bucket : buckets) {
            int stars = max == 0 ? 0 : (int) Math.round(40.0 * bucket.count() / max);
            lines.add(String.format(Locale.ROOT, "%10d -> %-10d : %-9d |%-40s|", bucket.low(), bucket.high(), bucket.count(),
                    "*".repeat(stars)));
        }
        return lines;
    }
}
