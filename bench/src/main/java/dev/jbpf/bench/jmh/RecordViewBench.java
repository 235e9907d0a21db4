package dev.jbpf.bench.jmh;

import dev.jbpf.btf.BtfRecordCodec;
import dev.jbpf.ringbuf.RecordHandler;
import dev.jbpf.ringbuf.RingBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a ring buffer handler does with the record view it is given (a read-only segment of the
 * ring's shared memory, {@link RecordHandler}): read two fields in place, decode the whole
 * record through a {@link BtfRecordCodec#handler}, or copy it out ({@link RingBuffer#copy}).
 * The record lives in native memory of an arena owned here, closed at tear-down.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordViewBench {
    private Arena arena;
    private MemorySegment record;
    private RecordHandler decoding;
    private OpenEvent last;

    @Setup
    public void setUp() {
        BtfRecordCodec<OpenEvent> codec = Events.codec();
        arena = Arena.ofConfined();
        MemorySegment writable = arena.allocate(codec.size(), 8);
        codec.encode(Events.SAMPLE, writable);
        record = writable.asReadOnly(); // as the ring buffer hands records out
        decoding = codec.handler(event -> last = event);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void readTwoFieldsInPlace(Blackhole sink) {
        sink.consume(record.get(ValueLayout.JAVA_INT, 0));
        sink.consume(record.get(ValueLayout.JAVA_INT, 4));
    }

    @Benchmark
    public OpenEvent decodeThroughCodecHandler() throws Exception {
        decoding.onRecord(record);
        return last;
    }

    @Benchmark
    public byte[] copyOut() {
        return RingBuffer.copy(record);
    }
}
