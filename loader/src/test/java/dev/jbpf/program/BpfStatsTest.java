package dev.jbpf.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import org.junit.jupiter.api.Test;

/** BPF_ENABLE_STATS: the kernel counts a program's runs exactly while a BpfStats is open. */
@KernelTest
class BpfStatsTest {
    @Test
    @SuppressWarnings("try") // BpfStats is held open, not called
    void testRunsAreCountedWhileStatsAreEnabled() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("testrun")).load()) {
            BpfProgram xdp = loaded.program("xdp_mark");
            ProgramInfo before = xdp.info();
            try (BpfStats stats = BpfStats.enable()) {
                xdp.testRun(TestRunOptions.ofData(new byte[64]).withRepeat(37));
            }
            ProgramInfo after = xdp.info();
            System.out.println("run_cnt " + before.runCount() + " -> " + after.runCount() + ", run_time_ns "
                    + before.runTimeNs() + " -> " + after.runTimeNs());
            assertEquals(37, after.runCount() - before.runCount());
            assertTrue(after.runTimeNs() > before.runTimeNs());
        }
    }
}
