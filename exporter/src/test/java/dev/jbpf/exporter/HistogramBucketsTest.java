package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.UnitTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** ebpf_exporter's bucket arithmetic: bounds, cumulative counts, count and sum for each bucket type. */
@UnitTest
class HistogramBucketsTest {
    private static HistogramConfig histogram(BucketType type, double multiplier, int min, int max, List<Double> keys) {
        return new HistogramConfig("h", "help", type, multiplier, min, max, keys, List.of(), null,
                new SourceLine(Path.of("h.yaml"), 1));
    }

    private static TreeMap<Double, Long> cumulative(double... pairs) {
        TreeMap<Double, Long> map = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], (long) pairs[i + 1]);
        }
        return map;
    }

    @Test
    void exp2CumulatesConfiguredBucketsAndReadsTheSumAfterTheLast() {
        // bucket 0: 2 values, 2: 3 values, 5 (beyond bucket_max 3): ignored, 4 (= max + 1): the sum
        HistogramBuckets b = HistogramBuckets.of(Map.of(0.0, 2L, 2.0, 3L, 5.0, 100L, 4.0, 17L),
                histogram(BucketType.EXP2, 1e-6, 0, 3, List.of()));
        assertEquals(cumulative(1e-6, 2, 2e-6, 2, 4e-6, 5, 8e-6, 5), b.cumulative());
        assertEquals(5, b.count());
        assertEquals(17e-6, b.sum(), 1e-18);
        assertArrayEquals(new double[] {1e-6, 2e-6, 4e-6, 8e-6, Double.POSITIVE_INFINITY}, b.upperBounds());
        assertArrayEquals(new long[] {2, 0, 3, 0, 0}, b.bucketCounts());
    }

    @Test
    void exp2zeroHasAZeroBucketThenPowersOfTwo() {
        HistogramBuckets b = HistogramBuckets.of(Map.of(0.0, 1L, 1.0, 1L, 3.0, 4L),
                histogram(BucketType.EXP2ZERO, 1, 0, 3, List.of()));
        assertEquals(cumulative(0, 1, 1, 2, 2, 2, 4, 6), b.cumulative());
        assertEquals(6, b.count());
        assertEquals(0, b.sum());
    }

    @Test
    void linearStartsAtBucketMin() {
        HistogramBuckets b = HistogramBuckets.of(Map.of(1.0, 9L, 2.0, 1L, 3.0, 2L, 5.0, 40L),
                histogram(BucketType.LINEAR, 10, 2, 4, List.of()));
        assertEquals(cumulative(20, 1, 30, 3, 40, 3), b.cumulative());
        assertEquals(3, b.count(), "bucket 1 is below bucket_min");
        assertEquals(400, b.sum());
    }

    @Test
    void fixedUsesTheListedKeysAndTheLastKeyPlusOneForTheSum() {
        HistogramBuckets b = HistogramBuckets.of(Map.of(5.0, 1L, 50.0, 2L, 51.0, 123L, 7.0, 99L),
                histogram(BucketType.FIXED, 0.001, 0, 0, List.of(5.0, 10.0, 50.0)));
        assertEquals(cumulative(0.005, 1, 0.01, 1, 0.05, 3), b.cumulative());
        assertEquals(3, b.count(), "key 7 is not a listed bucket");
        assertEquals(0.123, b.sum(), 1e-12);
    }

    @Test
    void bucketLabelsParseAsGoParseUintWithBase0() {
        assertEquals(17, MetricsCollector.parseBucket("17"));
        assertEquals(16, MetricsCollector.parseBucket("0x10"));
        assertEquals(8, MetricsCollector.parseBucket("010"));
        assertEquals(5, MetricsCollector.parseBucket("0b101"));
        assertEquals(0, MetricsCollector.parseBucket("0"));
        assertEquals(18446744073709551615.0, MetricsCollector.parseBucket("18446744073709551615"));
        org.junit.jupiter.api.Assertions.assertThrows(NumberFormatException.class, () -> MetricsCollector.parseBucket("-1"));
        org.junit.jupiter.api.Assertions.assertThrows(NumberFormatException.class, () -> MetricsCollector.parseBucket("x"));
    }
}
