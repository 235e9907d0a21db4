package dev.jbpf.program;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What one {@link BpfProgram#testRun} gave back. A value; the arrays are copied in and out.
 *
 * @param returnValue the program's return value (an XDP verdict such as {@code XDP_PASS} = 2,
 *     a tc action, ...), of the last run
 * @param durationNs the mean time of one run in nanoseconds, as the kernel measured it
 * @param dataOut the output packet (as the program left it: rewritten, grown or shrunk),
 *     empty when no output was asked for
 * @param contextOut the output context, empty when none was asked for
 */
public record TestRunResult(int returnValue, long durationNs, byte[] dataOut, byte[] contextOut) {
    public TestRunResult {
        dataOut = Objects.requireNonNull(dataOut, "dataOut").clone();
        contextOut = Objects.requireNonNull(contextOut, "contextOut").clone();
        if (durationNs < 0) {
            throw new IllegalArgumentException("durationNs must be >= 0, was " + durationNs);
        }
    }

    /** A copy of the output packet. */
    @Override
    public byte[] dataOut() {
        return dataOut.clone();
    }

    /** A copy of the output context. */
    @Override
    public byte[] contextOut() {
        return contextOut.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TestRunResult o && returnValue == o.returnValue && durationNs == o.durationNs
                && Arrays.equals(dataOut, o.dataOut) && Arrays.equals(contextOut, o.contextOut);
    }

    @Override
    public int hashCode() {
        return Objects.hash(returnValue, durationNs, Arrays.hashCode(dataOut), Arrays.hashCode(contextOut));
    }

    @Override
    public String toString() {
        return "TestRunResult[returnValue=" + returnValue + ", durationNs=" + durationNs + ", dataOut="
                + HexFormat.of().formatHex(dataOut) + ", contextOut=" + HexFormat.of().formatHex(contextOut) + "]";
    }
}
