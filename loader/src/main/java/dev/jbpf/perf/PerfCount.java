package dev.jbpf.perf;

/**
 * One reading of a perf event's counter, as read(2) on its fd returns it with
 * {@code PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING}. A value.
 *
 * @param value the counter (events, or nanoseconds for the clock events)
 * @param timeEnabledNanos how long the event was enabled
 * @param timeRunningNanos how long it was actually counting on a PMU; less than enabled when
 *     the kernel multiplexed more events than the PMU has counters
 */
public record PerfCount(long value, long timeEnabledNanos, long timeRunningNanos) {
    /** Whether the event shared its counter with others for part of the time (running < enabled). */
    public boolean multiplexed() {
        return timeRunningNanos < timeEnabledNanos;
    }

    /**
     * The value extrapolated to the whole enabled time ({@code value * enabled / running}), as
     * perf(1) reports multiplexed counters; the value itself when the event was not
     * multiplexed, 0 when it never ran.
     */
    public long scaledValue() {
        if (timeRunningNanos == 0) {
            return 0;
        }
        if (!multiplexed()) {
            return value;
        }
        return (long) ((double) value * timeEnabledNanos / timeRunningNanos);
    }
}
