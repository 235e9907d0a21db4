package dev.jbpf.tools.jvm;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Decoding what the programs record (bpf-src/jvm.h): names with their probe length, times. Static methods only. */
final class Names {
    /** Marks a name the program had to cut (longer than its field). */
    static final String CUT = "...";

    private Names() {
    }

    /**
     * The name in {@code bytes} whose probe length is {@code length} (jvm.h): the first
     * min(length, bytes.length) bytes as UTF-8 (HotSpot's names are modified UTF-8, the same for
     * all but NUL and characters outside the BMP), with {@link #CUT} when the program cut it.
     */
    static String text(byte[] bytes, int length) {
        long probeLength = Integer.toUnsignedLong(length);
        String text = new String(bytes, 0, (int) Math.min(probeLength, bytes.length), StandardCharsets.UTF_8);
        return probeLength > bytes.length ? text + CUT : text;
    }

    /**
     * A class's internal name as Java names it: "java/lang/String" → "java.lang.String",
     * "[Ljava/lang/Object;" → "[Ljava.lang.Object;"; a hidden class (a lambda's), which HotSpot
     * names "Foo$$Lambda+0x0000000800c03000", as {@link Class#getName()} has it:
     * "Foo$$Lambda/0x0000000800c03000".
     */
    static String className(String internal) {
        String name = internal.replace('/', '.');
        int hidden = name.lastIndexOf("+0x");
        if (hidden > 0 && name.substring(hidden + 3).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return name.substring(0, hidden) + "/" + name.substring(hidden + 1);
        }
        return name;
    }

    /** A class name the programs recorded, as Java names it. */
    static String className(byte[] bytes, int length) {
        return className(text(bytes, length));
    }

    /**
     * Converts bpf_ktime_get_ns() (CLOCK_MONOTONIC, the clock of {@link System#nanoTime()} on Linux)
     * to wall-clock time, with one offset measured when made.
     */
    static final class Clock {
        private final long epochMinusMonotonic;

        Clock() {
            Instant now = Instant.now();
            long monotonic = System.nanoTime();
            epochMinusMonotonic = now.getEpochSecond() * 1_000_000_000L + now.getNano() - monotonic;
        }

        Instant instant(long monotonicNanos) {
            long epochNanos = monotonicNanos + epochMinusMonotonic;
            return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        }
    }
}
