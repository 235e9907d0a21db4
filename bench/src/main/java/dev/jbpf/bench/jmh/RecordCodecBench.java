package dev.jbpf.bench.jmh;

import dev.jbpf.btf.BtfRecordCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * BtfRecordCodec on struct open_event (4 integers, char comm[16], char filename[256]): encode
 * to and decode from bytes (map values) and native memory (ring buffer records). Owns one
 * arena for the native record, closed at tear-down.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordCodecBench {
    private BtfRecordCodec<OpenEvent> codec;
    private byte[] encoded;
    private Arena arena;
    private MemorySegment nativeRecord;

    @Setup
    public void setUp() {
        codec = Events.codec();
        encoded = codec.encode(Events.SAMPLE);
        arena = Arena.ofConfined();
        nativeRecord = arena.allocate(codec.size(), 8);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public byte[] encodeToBytes() {
        return codec.encode(Events.SAMPLE);
    }

    @Benchmark
    public OpenEvent decodeFromBytes() {
        return codec.decode(encoded);
    }

    @Benchmark
    public MemorySegment encodeToNative() {
        codec.encode(Events.SAMPLE, nativeRecord);
        return nativeRecord;
    }

    @Benchmark
    public OpenEvent encodeThenDecode() {
        return codec.decode(codec.encode(Events.SAMPLE));
    }
}
