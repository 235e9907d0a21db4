package dev.jbpf.bindings;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The committed generated sources must be exactly what the generator makes from the installed headers. */
// unit: no kernel, no privileges. This module does not reach dev.jbpf.testing (loader's test jar),
// so the tag is plain; scripts/test-summary reads it from this line.
@Tag("unit")
class RegenerationTest {

    static Path bindingsDir() {
        String project = System.getProperty("jbpf.project.dir");
        Path p = project != null ? Path.of(project, "bindings") : Path.of("").toAbsolutePath();
        return Files.isDirectory(p.resolve("generator")) ? p : Path.of("").toAbsolutePath();
    }

    static boolean onPath(String exe) {
        if (exe.contains("/")) return Files.isExecutable(Path.of(exe));
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    @Test
    void committedSourcesAreUpToDate(@TempDir Path tmp) throws Exception {
        String clang = System.getenv().getOrDefault("CLANG", "clang-19");
        if (!onPath(clang)) fail(clang + " is not installed: run `make deps` (the regeneration check needs it)");

        Path bindings = bindingsDir();
        Path generator = bindings.resolve("generator/src/dev/jbpf/generator/Generator.java");
        // the JDK running this test is the build's (Maven's JAVA_HOME): the one JDK tests use
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the source launcher compiles the generator's files in memory (JDK 22+ multi-file programs)
        Process p = new ProcessBuilder(java, generator.toString(), tmp.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "generator timed out");
        assertEquals(0, p.exitValue(), "generator failed:\n" + log);

        Path committed = bindings.resolve("src/main/java/dev/jbpf/bindings");
        Path fresh = tmp.resolve("dev/jbpf/bindings");
        TreeSet<String> names = new TreeSet<>();
        for (Path d : List.of(committed, fresh)) {
            try (var s = Files.list(d)) {
                s.map(x -> x.getFileName().toString()).filter(n -> n.endsWith(".java")).forEach(names::add);
            }
        }
        List<String> problems = new ArrayList<>();
        for (String n : names) {
            Path a = committed.resolve(n), b = fresh.resolve(n);
            if (!Files.exists(a)) problems.add("missing from the committed sources: " + n);
            else if (!Files.exists(b)) problems.add("no longer generated: " + n);
            else if (!Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b))) problems.add("differs: " + n);
        }
        if (!problems.isEmpty()) {
            fail("generated bindings are stale; run `make bindings` (bindings/generate.sh) and commit:\n"
                    + String.join("\n", problems));
        }
    }
}
