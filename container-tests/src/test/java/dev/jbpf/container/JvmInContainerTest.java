package dev.jbpf.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * A JVM in a container, seen from the host as a JVM team's node agent would see it: the image's
 * own jlinked Java (no jcmd in it, no BPF privileges for the container) runs a program that
 * collects N times and then spins in a hot method; the host's jbpf traces its collections through
 * the HotSpot probes of the container's libjvm.so (reached through /proc/PID/root) and profiles
 * it with its perf map written through the host's jcmd (which finds the container's pid
 * namespace and /tmp) and read back through /proc/PID/root.
 */
// container: runs the jbpf image on the local Docker engine (make image); see ContainerImageTest.
@Tag("container")
class JvmInContainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int COLLECTIONS = 3;
    private static final String HOT = "ContainerJvm.spinHotMethod";
    /** Java 17 source, compiled here: the image's runtime has no compiler. */
    private static final String TARGET = """
            import java.nio.file.Files;
            import java.nio.file.Path;

            public final class ContainerJvm {
                static volatile long sink;

                public static void main(String[] args) throws Exception {
                    int collections = Integer.parseInt(args[0]);
                    System.out.println("ready");
                    while (!Files.exists(Path.of("/tmp/go"))) {
                        Thread.sleep(20);
                    }
                    for (int i = 0; i < collections; i++) {
                        System.gc();
                    }
                    Files.createFile(Path.of("/tmp/collected"));
                    while (true) {
                        sink += spinHotMethod(sink);
                    }
                }

                static long spinHotMethod(long seed) {
                    long x = seed;
                    for (int i = 0; i < 1_000_000; i++) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                    }
                    return x;
                }
            }
            """;

    @Test
    void theHostTracesTheCollectionsAndProfilesTheJavaFramesOfAContainersJvm(@TempDir Path dir) throws Exception {
        Path classes = compileTarget(dir);
        // serial collector and a small heap: System.gc() is one full collection (MarkSweepCompact), and nothing else collects
        List<String> java = List.of("/opt/jbpf/jre/bin/java", "-XX:+UseSerialGC", "-Xmx64m", "-XX:+PreserveFramePointer",
                // kept a method of its own (not inlined into main's loop), so its samples name it
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,ContainerJvm::spinHotMethod",
                "-cp", "/app", "ContainerJvm", Integer.toString(COLLECTIONS));
        // the program's classes its only bind: the traced JVM needs neither BPF privileges nor the kernel's file systems
        try (GenericContainer<?> container = JbpfImage.container(Privileges.NONE, java,
                List.of(new Bind(classes.toString(), new Volume("/app"), AccessMode.ro)))) {
            container.start();
            String pid = Long.toString(container.getContainerInfo().getState().getPidLong());
            for (long deadline = System.nanoTime() + 30_000_000_000L; !container.getLogs().contains("ready\n"); ) {
                assertTrue(System.nanoTime() < deadline, () -> "the container's JVM did not start in 30 s: " + container.getLogs());
                Thread.sleep(20);
            }
            ExecResult noJcmd = container.execInContainer("ls", "/opt/jbpf/jre/bin/jcmd");
            assertTrue(noJcmd.getExitCode() != 0, "the image's runtime has no jcmd: the host's must serve");

            // jvm gc from the host: its first line says it is attached; then the container's program collects
            Process gc = jbpf("jvm", "gc", "--pid", pid, "--duration", "6", "-j");
            List<JsonNode> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(gc.getInputStream(), StandardCharsets.UTF_8))) {
                String first = out.readLine();
                assertTrue(first != null && first.startsWith("{\"tool\":\"gc\""), () -> "first line: " + first + "\n" + rest(gc));
                JsonNode start = JSON.readTree(first);
                assertTrue(start.get("libjvm").asText().startsWith("/opt/jbpf/jre/lib/server/libjvm.so"), first);
                ExecResult go = container.execInContainer("sh", "-c",
                        "touch /tmp/go; for i in $(seq 1 200); do [ -e /tmp/collected ] && exit 0; sleep 0.05; done; exit 1");
                assertEquals(0, go.getExitCode(), "the container's JVM collected within 10 s");
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(JSON.readTree(line));
                }
            }
            assertTrue(gc.waitFor(30, TimeUnit.SECONDS), "jbpf jvm gc ends after its duration");
            assertEquals(0, gc.exitValue(), lines::toString);
            List<JsonNode> collections = lines.subList(0, lines.size() - 1);
            assertEquals(COLLECTIONS, collections.size(), lines::toString);
            for (JsonNode collection : collections) {
                assertEquals("MarkSweepCompact", collection.get("collector").asText(), collection::toString);
                assertTrue(collection.get("full").asBoolean(), collection::toString);
            }
            assertEquals(COLLECTIONS, lines.getLast().get("collections").asLong(), lines::toString);

            // profile with --jvm-perfmap: the hot method is named from the map the JVM wrote in its own /tmp
            Path folded = dir.resolve("container.folded");
            Process profile = jbpf("profile", "--pid", pid, "--jvm-perfmap", "--freq", "199", "--duration", "2",
                    "--folded", folded.toString());
            String said = rest(profile);
            assertTrue(profile.waitFor(60, TimeUnit.SECONDS), "jbpf profile ends");
            assertEquals(0, profile.exitValue(), said);
            ExecResult map = container.execInContainer("sh", "-c", "ls /tmp/perf-*.map");
            assertEquals("/tmp/perf-1.map", map.getStdout().strip(), "written by the JVM (pid 1 in its namespace) in its own /tmp");
            long total = 0;
            long hot = 0;
            for (String line : Files.readAllLines(folded)) {
                long samples = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                total += samples;
                if (line.contains(HOT)) {
                    hot += samples;
                }
            }
            System.out.println("container JVM: " + collections.size() + " collections traced; " + hot + " of " + total
                    + " samples in " + HOT);
            assertTrue(total > 0 && hot > total / 2, HOT + " in " + hot + " of " + total + " samples:\n" + said);
        }
    }

    private static Path compileTarget(Path dir) throws IOException {
        Path source = dir.resolve("ContainerJvm.java");
        Files.writeString(source, TARGET);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "--release", "17", "-d", classes.toString(), source.toString());
        assertEquals(0, status, "javac " + source);
        return classes;
    }

    /** The host's jbpf (bin/jbpf of this build), its stderr merged into its stdout. */
    private static Process jbpf(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "bin", "jbpf").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** What the process writes until it exits (waits for that). */
    private static String rest(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
