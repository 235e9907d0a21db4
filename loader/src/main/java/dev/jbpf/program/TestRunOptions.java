package dev.jbpf.program;

import dev.jbpf.bindings.BpfConstants;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link BpfProgram#testRun} feeds a program ({@code BPF_PROG_TEST_RUN}): packet data,
 * a context, how many times to run it, on which CPU. A value; the arrays are copied in and out.
 * Start from {@link #ofData}, {@link #ofContext} or {@link #empty} and adjust with the
 * {@code with*} methods.
 *
 * <p>Which fields a program type takes is the kernel's rule: XDP and socket/tc programs take
 * data (at least an Ethernet header, 14 bytes) and optionally a context ({@code struct xdp_md},
 * {@code struct __sk_buff}); raw tracepoint and syscall programs take only a context (no
 * repeat); tracepoints and kprobes cannot be test-run at all.
 *
 * @param data the input packet, or null for none ({@code data_in})
 * @param context the input context, or null for none ({@code ctx_in})
 * @param dataOutCapacity bytes reserved for the output packet ({@code data_size_out}); {@link #AUTO}
 *     reserves the input's length plus {@link #DATA_OUT_SLACK} (room for headers a program
 *     pushes), or nothing without input data or with {@link #XDP_LIVE_FRAMES}; 0 asks for no output
 * @param contextOutCapacity bytes reserved for the output context ({@code ctx_size_out}); {@link #AUTO}
 *     reserves the input context's length (nothing without one); 0 asks for no output
 * @param repeat how many times to run (0, the default, and 1 both mean once; raw tracepoint programs
 *     take only 0); the reported duration is the mean
 * @param flags {@link #RUN_ON_CPU}, {@link #XDP_LIVE_FRAMES}, {@link #SKB_CHECKSUM_COMPLETE}
 * @param cpu the CPU to run on, with {@link #RUN_ON_CPU} (must be 0 without it)
 * @param batchSize frames per batch with {@link #XDP_LIVE_FRAMES} (0 for the kernel's default)
 */
public record TestRunOptions(byte[] data, byte[] context, int dataOutCapacity, int contextOutCapacity, int repeat,
        int flags, int cpu, int batchSize) {
    /** Let jbpf size an output buffer (see the record's parameters). */
    public static final int AUTO = -1;
    /** Extra output bytes {@link #AUTO} reserves beyond the input packet. */
    public static final int DATA_OUT_SLACK = 4096;
    /** {@code BPF_F_TEST_RUN_ON_CPU}: run on {@code cpu} (raw tracepoint programs). */
    public static final int RUN_ON_CPU = BpfConstants.BPF_F_TEST_RUN_ON_CPU;
    /** {@code BPF_F_TEST_XDP_LIVE_FRAMES}: send XDP verdicts' packets for real (no data out). */
    public static final int XDP_LIVE_FRAMES = BpfConstants.BPF_F_TEST_XDP_LIVE_FRAMES;
    /** {@code BPF_F_TEST_SKB_CHECKSUM_COMPLETE}: skb programs see CHECKSUM_COMPLETE. */
    public static final int SKB_CHECKSUM_COMPLETE = BpfConstants.BPF_F_TEST_SKB_CHECKSUM_COMPLETE;
    private static final int KNOWN_FLAGS = RUN_ON_CPU | XDP_LIVE_FRAMES | SKB_CHECKSUM_COMPLETE;

    public TestRunOptions {
        data = data == null ? null : data.clone();
        context = context == null ? null : context.clone();
        if (dataOutCapacity < AUTO) {
            throw new IllegalArgumentException("dataOutCapacity must be >= 0 or AUTO, was " + dataOutCapacity);
        }
        if (contextOutCapacity < AUTO) {
            throw new IllegalArgumentException("contextOutCapacity must be >= 0 or AUTO, was " + contextOutCapacity);
        }
        if (repeat < 0) {
            throw new IllegalArgumentException("repeat must be >= 0, was " + repeat);
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown test run flags 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
        }
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu must be >= 0, was " + cpu);
        }
        if (cpu != 0 && (flags & RUN_ON_CPU) == 0) {
            throw new IllegalArgumentException("cpu " + cpu + " needs the RUN_ON_CPU flag (use onCpu)");
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batchSize must be >= 0, was " + batchSize);
        }
        if (batchSize != 0 && (flags & XDP_LIVE_FRAMES) == 0) {
            throw new IllegalArgumentException("batchSize needs the XDP_LIVE_FRAMES flag");
        }
    }

    /** Runs once with this packet and no context. */
    public static TestRunOptions ofData(byte[] data) {
        return new TestRunOptions(Objects.requireNonNull(data, "data"), null, AUTO, AUTO, 0, 0, 0, 0);
    }

    /** Runs once with this context and no packet (raw tracepoint, syscall programs). */
    public static TestRunOptions ofContext(byte[] context) {
        return new TestRunOptions(null, Objects.requireNonNull(context, "context"), AUTO, AUTO, 0, 0, 0, 0);
    }

    /** Runs once with neither packet nor context. */
    public static TestRunOptions empty() {
        return new TestRunOptions(null, null, AUTO, AUTO, 0, 0, 0, 0);
    }

    public TestRunOptions withData(byte[] data) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags, cpu, batchSize);
    }

    public TestRunOptions withContext(byte[] context) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags, cpu, batchSize);
    }

    public TestRunOptions withDataOutCapacity(int bytes) {
        return new TestRunOptions(data, context, bytes, contextOutCapacity, repeat, flags, cpu, batchSize);
    }

    public TestRunOptions withContextOutCapacity(int bytes) {
        return new TestRunOptions(data, context, dataOutCapacity, bytes, repeat, flags, cpu, batchSize);
    }

    public TestRunOptions withRepeat(int repeat) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags, cpu, batchSize);
    }

    /** Replaces the flags (keeps cpu only while RUN_ON_CPU stays set). */
    public TestRunOptions withFlags(int flags) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags,
                (flags & RUN_ON_CPU) != 0 ? cpu : 0, batchSize);
    }

    /** Runs on {@code cpu}: sets {@link #RUN_ON_CPU}. */
    public TestRunOptions onCpu(int cpu) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags | RUN_ON_CPU, cpu,
                batchSize);
    }

    public TestRunOptions withBatchSize(int batchSize) {
        return new TestRunOptions(data, context, dataOutCapacity, contextOutCapacity, repeat, flags, cpu, batchSize);
    }

    /** A copy of the input packet, or null. */
    @Override
    public byte[] data() {
        return data == null ? null : data.clone();
    }

    /** A copy of the input context, or null. */
    @Override
    public byte[] context() {
        return context == null ? null : context.clone();
    }

    /** The output packet buffer's size that will be passed to the kernel ({@link #AUTO} resolved). */
    public int effectiveDataOutCapacity() {
        if (dataOutCapacity != AUTO) {
            return dataOutCapacity;
        }
        if (data == null || (flags & XDP_LIVE_FRAMES) != 0) {
            return 0;
        }
        return data.length + DATA_OUT_SLACK;
    }

    /** The output context buffer's size that will be passed to the kernel ({@link #AUTO} resolved). */
    public int effectiveContextOutCapacity() {
        if (contextOutCapacity != AUTO) {
            return contextOutCapacity;
        }
        return context == null || (flags & XDP_LIVE_FRAMES) != 0 ? 0 : context.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TestRunOptions o && Arrays.equals(data, o.data) && Arrays.equals(context, o.context)
                && dataOutCapacity == o.dataOutCapacity && contextOutCapacity == o.contextOutCapacity
                && repeat == o.repeat && flags == o.flags && cpu == o.cpu && batchSize == o.batchSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(data), Arrays.hashCode(context), dataOutCapacity, contextOutCapacity,
                repeat, flags, cpu, batchSize);
    }

    @Override
    public String toString() {
        return "TestRunOptions[data=" + (data == null ? "none" : data.length + " bytes") + ", context="
                + (context == null ? "none" : context.length + " bytes") + ", dataOutCapacity=" + dataOutCapacity
                + ", contextOutCapacity=" + contextOutCapacity + ", repeat=" + repeat + ", flags=0x"
                + Integer.toHexString(flags) + ", cpu=" + cpu + ", batchSize=" + batchSize + "]";
    }
}
