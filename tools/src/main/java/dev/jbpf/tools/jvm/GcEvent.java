package dev.jbpf.tools.jvm;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One garbage collection pause of a JVM, as HotSpot's probes reported it when it ended
 * ({@link JvmGcEvents}). A value in the Java heap.
 *
 * @param start when it began (wall clock, from the kernel's monotonic clock)
 * @param duration from {@code hotspot:gc__begin} to {@code gc__end}
 * @param full {@code gc__begin}'s argument: a full collection (every collector's full GC,
 *     System.gc() by default)
 * @param collector the memory manager that collected, by the name its GarbageCollectorMXBean
 *     has ("G1 Young Generation", "G1 Old Generation", "Copy", "MarkSweepCompact",
 *     "PS Scavenge", ...); empty when none reported this pause (ZGC's and Shenandoah's pauses:
 *     their managers report whole cycles, on other threads)
 * @param thread the thread that collected (HotSpot's VM thread), its kernel tid
 * @param pools every memory pool's usage before and after, in HotSpot's order (heap and
 *     non-heap pools: "G1 Eden Space", "Metaspace", ...; the first 12), empty when {@code collector} is
 */
public record GcEvent(Instant start, Duration duration, boolean full, String collector, int thread, List<PoolUsage> pools) {
    public GcEvent {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(collector, "collector");
        pools = List.copyOf(pools);
    }

    /**
     * One memory pool around the collection, in bytes (MemoryUsage's values).
     *
     * @param usedAfter -1 (and so {@code committedAfter} and {@code max}) when the collector did
     *     not report the pool after the collection
     * @param max -1 when the pool has no maximum
     */
    public record PoolUsage(String name, long usedBefore, long usedAfter, long committedAfter, long max) {
        public PoolUsage {
            Objects.requireNonNull(name, "name");
        }
    }
}
