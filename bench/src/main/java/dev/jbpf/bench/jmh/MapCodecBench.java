package dev.jbpf.bench.jmh;

import dev.jbpf.map.Codec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The map key/value codecs of a typed map ({@code map.typed(Codec.INT, Codec.LONG)}, the
 * shape of the benchmarks' 1M-entry hash map) and a {@code char[16]} key: encode then decode,
 * as one update and one lookup do. Pure Java; owns nothing native.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MapCodecBench {
    private final Codec<String> comm = Codec.string(16);
    private int key = 42;
    private long value = 0x1234_5678_9abcL;

    @Setup
    public void setUp() {
        key = 42;
        value = 0x1234_5678_9abcL;
    }

    @Benchmark
    public long u32KeyU64ValueRoundTrip() {
        return Codec.INT.decode(Codec.INT.encode(key)) + Codec.LONG.decode(Codec.LONG.encode(value));
    }

    @Benchmark
    public String char16KeyRoundTrip() {
        return comm.decode(comm.encode("systemd-journal"));
    }
}
