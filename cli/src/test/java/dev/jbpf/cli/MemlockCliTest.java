package dev.jbpf.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.VmTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * jbpf with RLIMIT_MEMLOCK 0 and no way to raise it, in every kernel of the VM matrix: on 5.10,
 * which charges BPF memory to RLIMIT_MEMLOCK, one line saying so and how to raise it; on later
 * kernels it just works. The situation is PrivilegesTest's (which runs it on the host too).
 */
@KernelTest
@VmTest
class MemlockCliTest {
    @Test
    void rlimitMemlockZeroFailsSayingSoWhereItIsChargedAndWorksElsewhere() throws Exception {
        for (String tool : new String[] {"/usr/bin/setpriv", "/usr/bin/prlimit"}) {
            assumeTrue(Files.isExecutable(Path.of(tool)), tool + " (util-linux) is not installed");
        }
        PrivilegesTest.assertOutcome(PrivilegesTest.memlockCase(TestSupport.bpfObject("maps").toString()));
    }
}
