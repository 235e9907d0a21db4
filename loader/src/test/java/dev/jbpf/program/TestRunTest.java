package dev.jbpf.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.Codec;
import dev.jbpf.testing.KernelTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BPF_PROG_TEST_RUN through BpfProgram.testRun, on the programs of testrun.bpf.c. */
@KernelTest
class TestRunTest {
    private static final int XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3;
    private LoadedObject loaded;

    @BeforeEach
    void load() {
        loaded = BpfObject.open(TestSupport.bpfObject("testrun")).load();
    }

    @AfterEach
    void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    private static byte[] packet(int firstByte) {
        byte[] packet = new byte[64];
        for (int i = 0; i < packet.length; i++) {
            packet[i] = (byte) (i + 7);
        }
        packet[0] = (byte) firstByte;
        return packet;
    }

    /** struct xdp_md with data = 0 and data_end = the packet's length (what the kernel wants as input). */
    private static byte[] xdpContext(int length) {
        return ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putInt(0, 0).putInt(4, length).array();
    }

    @Test
    void xdpVerdictDependsOnThePacket() {
        BpfProgram xdp = loaded.program("xdp_mark");
        TestRunResult dropped = xdp.testRun(TestRunOptions.ofData(packet(0xde)));
        assertEquals(XDP_DROP, dropped.returnValue());
        assertArrayEquals(packet(0xde), dropped.dataOut(), "a dropped packet comes back unchanged");
        assertEquals(0, dropped.contextOut().length, "no context asked for");

        byte[] in = packet(0x11);
        TestRunResult rewritten = xdp.testRun(TestRunOptions.ofData(in));
        assertEquals(XDP_TX, rewritten.returnValue());
        byte[] expected = in.clone();
        expected[1] = (byte) ~0x11;
        assertArrayEquals(expected, rewritten.dataOut(), "byte 1 := ~byte 0");
    }

    @Test
    void xdpShrinkingThePacketShowsInDataAndContextOut() {
        byte[] in = packet(0xad);
        TestRunResult stripped = loaded.program("xdp_mark").testRun(
                TestRunOptions.ofData(in).withContext(xdpContext(in.length)));
        assertEquals(XDP_PASS, stripped.returnValue());
        assertArrayEquals(Arrays.copyOfRange(in, 2, in.length), stripped.dataOut(), "two bytes stripped from the front");
        ByteBuffer context = ByteBuffer.wrap(stripped.contextOut()).order(ByteOrder.nativeOrder());
        assertEquals(24, stripped.contextOut().length);
        assertEquals(0, context.getInt(0), "xdp_md.data");
        assertEquals(in.length - 2, context.getInt(4), "xdp_md.data_end");
    }

    @Test
    void repeatedRunsReportTheirMeanDuration() {
        TestRunResult result = loaded.program("xdp_mark").testRun(TestRunOptions.ofData(packet(0x22)).withRepeat(1000));
        assertEquals(XDP_TX, result.returnValue());
        assertTrue(result.durationNs() > 0, "duration " + result.durationNs());
        assertTrue(result.durationNs() < 1_000_000, "mean duration of one run " + result.durationNs() + " ns");
    }

    @Test
    void tooSmallOutputBufferSaysHowMuchWasNeeded() {
        BpfException e = assertThrows(BpfException.class,
                () -> loaded.program("xdp_mark").testRun(TestRunOptions.ofData(packet(0x33)).withDataOutCapacity(10)));
        assertEquals("ENOSPC", e.errnoName());
        assertTrue(e.getMessage().startsWith("test run program testrun/xdp_mark: No space left on device (ENOSPC): "
                + "the output needs 64 bytes of data (capacity 10)"), e.getMessage());
        TestRunResult noOutput = loaded.program("xdp_mark").testRun(TestRunOptions.ofData(packet(0x33)).withDataOutCapacity(0));
        assertEquals(XDP_TX, noOutput.returnValue());
        assertEquals(0, noOutput.dataOut().length);
    }

    @Test
    void rawTracepointRunsOnTheRequestedCpuWithItsContext() {
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        byte[] args = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(40).putLong(2).array();
        TestRunResult result = loaded.program("add_args").testRun(TestRunOptions.ofContext(args).onCpu(cpu));
        assertEquals(42, result.returnValue(), "args[0] + args[1]");
        assertEquals(cpu, loaded.map("last_cpu").typed(Codec.INT, Codec.INT).get(0).orElseThrow(), "ran on cpu " + cpu);
    }

    @Test
    void syscallProgramWritesItsContextBack() {
        byte[] args = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putLong(0, 30).putLong(8, 12).array();
        TestRunResult result = loaded.program("sum_in_context").testRun(TestRunOptions.ofContext(args));
        assertEquals(1, result.returnValue());
        assertEquals(24, result.contextOut().length);
        assertEquals(42, ByteBuffer.wrap(result.contextOut()).order(ByteOrder.nativeOrder()).getLong(16), "sum");
    }

    @Test
    void inputTheProgramTypeDoesNotTakeIsEinval() {
        // Raw tracepoint programs take no repeat count.
        byte[] args = new byte[16];
        BpfException e = assertThrows(BpfException.class, () -> loaded.program("add_args").testRun(
                TestRunOptions.ofContext(args).withRepeat(5)));
        assertEquals("EINVAL", e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().startsWith("test run program testrun/add_args: Invalid argument (EINVAL)"),
                e.getMessage());
        // ... nor an output context, when one is asked for explicitly.
        assertThrows(BpfException.class, () -> loaded.program("add_args").testRun(
                TestRunOptions.ofContext(args).withContextOutCapacity(16)));
    }

    @Test
    void tracepointProgramsCannotBeTestRun() {
        BpfException e = assertThrows(BpfException.class,
                () -> loaded.program("not_test_runnable").testRun(TestRunOptions.empty()));
        assertTrue(e.errnoName().equals("ENOTSUPP") || e.errnoName().equals("EINVAL"), e.getMessage());
        assertTrue(e.getMessage().startsWith("test run program testrun/not_test_runnable: "), e.getMessage());
    }

    @Test
    void closedObjectRefusesTestRuns() {
        BpfProgram xdp = loaded.program("xdp_mark");
        loaded.close();
        assertThrows(IllegalStateException.class, () -> xdp.testRun(TestRunOptions.ofData(packet(1))));
        assertThrows(IllegalStateException.class, () -> loaded.program("xdp_mark"));
    }
}
