package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.tcptrack.TcpTracker;
import dev.jbpf.tools.testing.LoopbackTransfer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code jbpf tcptrack}: the connection line of a loopback transfer, its removal when closed, bad input. */
class TcpTrackCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** jbpf tcptrack running in a thread of this JVM, its output readable while it runs. */
    private static final class Running {
        final StringWriter out = new StringWriter(); // StringBuffer inside: safe to read while written
        final StringWriter err = new StringWriter();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) {
            thread = new Thread(() -> exit.set(Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true))), "tcptrack");
            thread.start();
        }

        /** Waits (up to 20 s) until the output satisfies the condition. */
        void await(Predicate<String> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!condition.test(out.toString())) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new AssertionError("tcptrack: no " + what + "; exit " + exit.get() + "\n--- stdout\n" + out + "--- stderr\n" + err);
                }
                Thread.sleep(20);
            }
        }

        void finish() throws InterruptedException {
            thread.join(30_000);
            assertFalse(thread.isAlive(), "tcptrack did not stop at --duration");
            assertEquals(0, exit.get(), () -> "--- stdout\n" + out + "--- stderr\n" + err);
        }
    }

    @Test
    @KernelTest
    void printsTheConnectionLineUntilTheConnectionCloses() throws Exception {
        LoopbackTransfer.assumeTracepointVariant(); // the host's variant; the kprobe variant: TcpTrackerTest in the VMs
        Running tcptrack = new Running("tcptrack", "--duration", "8", "--interval", "0.25", "--variant", "tracepoint");
        tcptrack.await(out -> out.startsWith("Tracking TCP connections with the tracepoint variant"), "start line");
        LoopbackTransfer transfer = LoopbackTransfer.open(InetAddress.getByName("127.0.0.1"));
        String clientLine = "  127.0.0.1:" + transfer.clientPort() + " -> 127.0.0.1:" + transfer.serverPort() + "  TX: 123457  RX: 98765\n";
        String serverLine = "  127.0.0.1:" + transfer.serverPort() + " -> 127.0.0.1:" + transfer.clientPort() + "  TX: 98765  RX: 123457\n";
        int closedAt;
        try {
            transfer.exchange();
            tcptrack.await(out -> out.contains(clientLine) && out.contains(serverLine), "line for the connection");
        } finally {
            transfer.close();
            closedAt = tcptrack.out.toString().length();
        }
        // a listing after the close without either socket
        tcptrack.await(out -> {
            String after = out.substring(closedAt);
            int listing = after.indexOf(" UTC: ");
            if (listing < 0) {
                return false;
            }
            String rest = after.substring(after.lastIndexOf('\n', listing) + 1);
            return !rest.contains(":" + transfer.clientPort() + " ") && rest.contains(" UTC: ");
        }, "listing without the closed connection");
        tcptrack.thread.interrupt(); // stops it between listings: no need to wait out --duration
        tcptrack.finish();
    }

    @Test
    @KernelTest
    void jsonListsTheConnectionWithItsCounts() throws Exception {
        LoopbackTransfer.assumeTracepointVariant();
        Running tcptrack = new Running("tcptrack", "--duration", "30", "--interval", "0.25", "--variant", "tracepoint", "-j");
        // JSON output has no start line: the first listing says the programs are attached
        tcptrack.await(out -> out.contains("\"connections\""), "first listing");
        try (LoopbackTransfer transfer = LoopbackTransfer.open(InetAddress.getByName("127.0.0.1"))) {
            transfer.exchange();
            int exchanged = tcptrack.out.toString().length(); // listings from here on see every byte
            String client = "\"sport\":" + transfer.clientPort() + ",";
            tcptrack.await(out -> out.substring(exchanged).contains(client), "listing with the connection");
            tcptrack.thread.interrupt(); // no need to wait out --duration
            tcptrack.finish();
            String listing = tcptrack.out.toString().substring(exchanged).lines()
                    .filter(line -> line.contains(client)).findFirst().orElseThrow();
            JsonNode found = null;
            for (JsonNode connection : JSON.readTree(listing).get("connections")) {
                if (connection.get("sport").asInt() == transfer.clientPort() && connection.get("dport").asInt() == transfer.serverPort()) {
                    found = connection;
                }
            }
            assertTrue(found != null, listing);
            assertEquals("127.0.0.1", found.get("saddr").asText(), listing);
            assertEquals("127.0.0.1", found.get("daddr").asText(), listing);
            assertEquals(123457, found.get("tx").asLong(), listing);
            assertEquals(98765, found.get("rx").asLong(), listing);
        }
    }

    @Test
    @KernelTest
    void sigintDetachesAndUnloadsItsPrograms() throws Exception {
        LoopbackTransfer.assumeTracepointVariant();
        Process jbpf = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "tcptrack", "--interval", "0.2")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jbpf.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("Tracking TCP connections"), "first line: " + first);
            Matcher ids = Pattern.compile("prog ids ([0-9, ]+)\\)").matcher(first);
            assertTrue(ids.find(), first);
            List<Integer> programs = Arrays.stream(ids.group(1).split(", ")).map(Integer::valueOf).toList();
            assertEquals(3, programs.size(), first);
            for (int id : programs) {
                ProgramInfo.ofId(id); // loaded now
            }
            // bin/jbpf execs java, so this pid is the JVM's
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(jbpf.pid())).start().waitFor());
            Thread.ofVirtual().start(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter()); // keep the pipe drained until it exits
                } catch (java.io.IOException ignored) {
                    // the process is gone
                }
            });
            assertTrue(jbpf.waitFor(15, TimeUnit.SECONDS), "jbpf tcptrack did not exit on SIGINT");
            assertEquals(130, jbpf.exitValue(), "exit status after SIGINT");
            for (int id : programs) {
                assertThrows(BpfNotFoundException.class, () -> ProgramInfo.ofId(id), "program " + id + " still loaded");
            }
        } finally {
            jbpf.destroyForcibly();
        }
    }

    @Test
    @UnitTest
    void badInputIsAOneLineError() {
        Jbpf.Result interval = Jbpf.run("tcptrack", "--interval", "0");
        assertEquals(Main.EXIT_USAGE, interval.exitCode(), interval::toString);
        assertTrue(interval.err().startsWith("Error: --interval must be a positive number of seconds"), interval::toString);
        Jbpf.Result variant = Jbpf.run("tcptrack", "--variant", "fentry");
        assertEquals(Main.EXIT_USAGE, variant.exitCode(), variant::toString);
        assertTrue(variant.err().startsWith("Error: --variant must be kprobe or tracepoint"), variant::toString);
        if (TestSupport.isPrivileged() && !TcpTracker.kernelHasKprobes()) {
            Jbpf.Result kprobe = Jbpf.run("tcptrack", "--variant", "kprobe", "--duration", "1");
            assertEquals(Main.EXIT_FAILED, kprobe.exitCode(), kprobe::toString);
            assertEquals(List.of("Error: tcptrack --variant kprobe: this kernel has no kprobes (CONFIG_KPROBES is off); "
                    + "use --variant tracepoint"), kprobe.errLines(), kprobe::toString);
        }
    }
}
