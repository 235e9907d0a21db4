package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.TestSupport;
import dev.jbpf.program.ProgramInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
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
        // drain stdout all along: a full pipe would block jbpf's record printing, and its exit
        StringBuffer output = new StringBuffer();
        CountDownLatch streaming = new CountDownLatch(1);
        Thread drain = Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(jbpf.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("Streaming ring buffer")) {
                        streaming.countDown();
                    }
                }
            } catch (IOException e) {
                output.append("(reading stdout failed: ").append(e).append(")\n");
            }
        });
        try {
            assertTrue(streaming.await(30, TimeUnit.SECONDS), () -> "jbpf never started streaming:\n" + output);
            assertTrue(programIds().size() > before.size(), () -> "nothing attached:\n" + output);

            // bin/jbpf execs java, so this pid is the JVM's
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(jbpf.pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(jbpf.waitFor(15, TimeUnit.SECONDS), "jbpf did not exit on SIGINT");
            drain.join(Duration.ofSeconds(5));
            assertTrue(output.toString().contains("Detached after"), () -> "no detach message after SIGINT:\n" + tail(output));
            assertEquals(130, jbpf.exitValue(), "exit status after SIGINT");
            assertEquals(before, programIds(), "programs left loaded after SIGINT");
        } finally {
            jbpf.destroyForcibly();
        }
    }

    private static String tail(StringBuffer output) {
        return output.substring(Math.max(0, output.length() - 2000));
    }

    private static Set<Integer> programIds() {
        return ProgramInfo.listAll().stream().map(ProgramInfo::id).collect(Collectors.toSet());
    }

}
