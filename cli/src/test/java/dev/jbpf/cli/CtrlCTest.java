package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.TestSupport;
import dev.jbpf.program.ProgramInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** `jbpf attach` in the foreground detaches cleanly on Ctrl-C (SIGINT), as a user runs it. */
class CtrlCTest {
    @Test
    void sigintDetachesAndUnloads() throws Exception {
        TestSupport.assumePrivileged();
        Set<Integer> before = programIds();
        Process jbpf = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "attach",
                TestSupport.bpfObject("opensnoop").toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jbpf.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("Streaming ring buffer")) {
                    break;
                }
            }
            assertTrue(seen.toString().contains("Streaming ring buffer events"), seen::toString);
            assertTrue(programIds().size() > before.size(), "nothing attached:\n" + seen);

            // bin/jbpf execs java, so this pid is the JVM's
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(jbpf.pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(jbpf.waitFor(15, TimeUnit.SECONDS), "jbpf did not exit on SIGINT");
            String rest = new String(jbpf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.contains("Detached after"), () -> "no detach message after SIGINT:\n" + seen + rest);
            assertEquals(130, jbpf.exitValue(), "exit status after SIGINT");
            assertEquals(before, programIds(), "programs left loaded after SIGINT");
        } finally {
            jbpf.destroyForcibly();
        }
    }

    private static Set<Integer> programIds() {
        return ProgramInfo.listAll().stream().map(ProgramInfo::id).collect(Collectors.toSet());
    }

}
