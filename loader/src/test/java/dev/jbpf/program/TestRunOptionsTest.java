package dev.jbpf.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** TestRunOptions and TestRunResult as values: checks, copies, output sizes. No kernel needed. */
@UnitTest
class TestRunOptionsTest {
    @Test
    void outputCapacitiesFollowTheInput() {
        TestRunOptions packet = TestRunOptions.ofData(new byte[64]);
        assertEquals(64 + TestRunOptions.DATA_OUT_SLACK, packet.effectiveDataOutCapacity());
        assertEquals(0, packet.effectiveContextOutCapacity());
        assertEquals(24, packet.withContext(new byte[24]).effectiveContextOutCapacity());
        assertEquals(0, packet.withFlags(TestRunOptions.XDP_LIVE_FRAMES).effectiveDataOutCapacity());
        assertEquals(10, packet.withDataOutCapacity(10).effectiveDataOutCapacity());
        assertEquals(0, TestRunOptions.empty().effectiveDataOutCapacity());
        assertNull(TestRunOptions.empty().data());
    }

    @Test
    void badArgumentsAreRejectedBeforeTheKernel() {
        TestRunOptions options = TestRunOptions.empty();
        assertThrows(IllegalArgumentException.class, () -> options.withRepeat(-1));
        assertThrows(IllegalArgumentException.class, () -> options.withDataOutCapacity(-2));
        assertThrows(IllegalArgumentException.class, () -> options.withContextOutCapacity(-5));
        assertThrows(IllegalArgumentException.class, () -> options.withFlags(0x100));
        assertThrows(IllegalArgumentException.class, () -> options.onCpu(-1));
        assertThrows(IllegalArgumentException.class, () -> new TestRunOptions(null, null, -1, -1, 1, 0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> options.withBatchSize(4));
        assertThrows(NullPointerException.class, () -> TestRunOptions.ofData(null));
        assertEquals(3, options.onCpu(3).cpu());
        assertEquals(TestRunOptions.RUN_ON_CPU, options.onCpu(3).flags());
        assertEquals(0, options.onCpu(3).withFlags(0).cpu(), "dropping RUN_ON_CPU drops the cpu");
    }

    @Test
    void arraysAreCopiedAndCompareByContent() {
        byte[] data = {1, 2, 3};
        TestRunOptions options = TestRunOptions.ofData(data);
        data[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, options.data());
        options.data()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, options.data());
        assertEquals(TestRunOptions.ofData(new byte[] {1, 2, 3}), options);
        assertEquals(TestRunOptions.ofData(new byte[] {1, 2, 3}).hashCode(), options.hashCode());
        assertNotEquals(TestRunOptions.ofData(new byte[] {1, 2}), options);

        byte[] out = {4, 5};
        TestRunResult result = new TestRunResult(2, 10, out, new byte[0]);
        out[0] = 0;
        assertArrayEquals(new byte[] {4, 5}, result.dataOut());
        assertEquals(new TestRunResult(2, 10, new byte[] {4, 5}, new byte[0]), result);
        assertEquals("TestRunResult[returnValue=2, durationNs=10, dataOut=0405, contextOut=]", result.toString());
        assertThrows(IllegalArgumentException.class, () -> new TestRunResult(0, -1, new byte[0], new byte[0]));
    }
}
