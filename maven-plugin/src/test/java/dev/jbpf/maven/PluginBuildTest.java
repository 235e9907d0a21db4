package dev.jbpf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Maven builds of a small user project through the installed jbpf-maven-plugin (make
 * build installs it before the tests run): cold and warm builds (timed), what triggers a
 * recompile, and the errors a user meets. The project's Java code uses its skeleton, so a build
 * that passes proves the generated source compiles in a user's build.
 */
// unit: no kernel, no privileges. This module does not reach dev.jbpf.testing (loader's test jar),
// so the tag is plain; scripts/test-summary reads it from this line.
@Tag("unit")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginBuildTest {
    private static final String VERSION = System.getProperty("jbpf.plugin.version", "0.1.0-SNAPSHOT");
    @TempDir
    static Path dir;

    private record Build(int exit, String output, long millis) {
        boolean has(String text) {
            return output.contains(text);
        }
    }

    private static Path project() {
        return dir.resolve("project");
    }

    private static Build mvn(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-o", "-Dstyle.color=never",
                "-Djbpf.vmlinuxCache=" + dir.resolve("cache")));
        command.addAll(List.of(args));
        command.add("compile");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project().toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");
        long start = System.nanoTime();
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("mvn %s: exit %d in %d ms%n", String.join(" ", args), process.exitValue(), millis);
        return new Build(process.exitValue(), output, millis);
    }

    private static void writeProject() throws IOException {
        Path bpf = Files.createDirectories(project().resolve("src/main/bpf"));
        Path java = Files.createDirectories(project().resolve("src/main/java/demo"));
        Files.writeString(project().resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId><artifactId>demo</artifactId><version>1</version>
                  <properties>
                    <maven.compiler.release>22</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency><groupId>dev.jbpf</groupId><artifactId>jbpf-loader</artifactId><version>%1$s</version></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                    <plugin>
                      <groupId>dev.jbpf</groupId><artifactId>jbpf-maven-plugin</artifactId><version>%1$s</version>
                      <executions><execution><goals><goal>generate</goal></goals></execution></executions>
                      <configuration><packageName>demo.bpf</packageName><types><type>tick</type></types></configuration>
                    </plugin>
                  </plugins></build>
                </project>
                """.formatted(VERSION));
        Files.writeString(bpf.resolve("ticks.h"), "struct tick { __u32 pid; __u64 count; };\n");
        Files.writeString(bpf.resolve("ticks.bpf.c"), """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include "ticks.h"
                const struct tick *unused_tick __attribute__((unused));
                __u64 ticks;
                SEC("tp/syscalls/sys_enter_getppid")
                int count_tick(void *ctx) { __sync_fetch_and_add(&ticks, 1); return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        Files.writeString(java.resolve("Use.java"), """
                package demo;
                import demo.bpf.Ticks;
                public final class Use {
                    private Use() {}
                    public static long ticks(Ticks skeleton) { return skeleton.ticks(); }
                    public static Ticks.Tick tick() { return new Ticks.Tick(1, 2L); }
                }
                """);
    }

    private static Path skeleton() {
        return project().resolve("target/generated-sources/jbpf/demo/bpf/Ticks.java");
    }

    @Test
    @Order(1)
    void aColdBuildCompilesGeneratesAndPackages() throws Exception {
        writeProject();
        Build cold = mvn();
        assertEquals(0, cold.exit(), cold.output());
        assertTrue(cold.has("jbpf: wrote "), "vmlinux.h written from the kernel's BTF:\n" + cold.output());
        assertTrue(cold.has("jbpf: compiled ticks.bpf.c; generated Ticks"), cold.output());
        assertTrue(Files.isRegularFile(skeleton()));
        assertTrue(Files.isRegularFile(project().resolve("target/classes/demo/bpf/ticks.bpf.o")), "the object next to its class");
        assertTrue(Files.isRegularFile(project().resolve("target/classes/demo/bpf/Ticks$Tick.class")));
        assertTrue(Files.isRegularFile(project().resolve("target/classes/demo/Use.class")));
        Build warm = mvn();
        assertEquals(0, warm.exit(), warm.output());
        assertTrue(warm.has("jbpf: 1 BPF object up to date"), warm.output());
        System.out.printf("plugin build: cold %d ms, warm %d ms (whole mvn compile runs)%n", cold.millis(), warm.millis());
    }

    @Test
    @Order(2)
    void aChangedSourceOrHeaderRecompilesAndAnUnchangedObjectKeepsItsSkeleton() throws Exception {
        FileTime generatedAt = Files.getLastModifiedTime(skeleton());
        Files.setLastModifiedTime(project().resolve("src/main/bpf/ticks.bpf.c"), FileTime.from(Instant.now().plusSeconds(2)));
        Build touched = mvn();
        assertEquals(0, touched.exit(), touched.output());
        assertTrue(touched.has("jbpf: compiled ticks.bpf.c; generated nothing"), "same object, same skeleton:\n" + touched.output());
        assertEquals(generatedAt, Files.getLastModifiedTime(skeleton()));

        Files.writeString(project().resolve("src/main/bpf/ticks.h"), "struct tick { __u32 pid; __u32 cpu; __u64 count; };\n");
        Build changed = mvn();
        assertEquals(1, changed.exit(), "Use.java builds a Tick of the old shape:\n" + changed.output());
        assertTrue(changed.has("jbpf: compiled ticks.bpf.c; generated Ticks"), changed.output());
        assertTrue(Files.readString(skeleton()).contains("int cpu,"), "the header's change reached the skeleton");
        Files.writeString(project().resolve("src/main/bpf/ticks.h"), "struct tick { __u32 pid; __u64 count; };\n");
        assertEquals(0, mvn().exit());
    }

    @Test
    @Order(3)
    void aCompileErrorShowsClangsFileAndLineAndLeavesTheSkeletonWhole() throws Exception {
        String good = Files.readString(skeleton());
        Path source = project().resolve("src/main/bpf/ticks.bpf.c");
        String text = Files.readString(source);
        Files.writeString(source, text.replace("return 0; }", "return 0 }"));
        try {
            assertBrokenBuild(good);
        } finally {
            Files.writeString(source, text);
        }
    }

    private static void assertBrokenBuild(String good) throws Exception {
        Build broken = mvn();
        assertEquals(1, broken.exit());
        assertTrue(broken.has("jbpf: clang failed on ticks.bpf.c:"), broken.output());
        assertTrue(broken.output().matches("(?s).*ticks\\.bpf\\.c:7:\\d+: error: .*"), "clang's file:line:\n" + broken.output());
        assertEquals(good, Files.readString(skeleton()), "the skeleton is as it was");
        try (Stream<Path> files = Files.walk(project().resolve("target"))) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    @Order(4)
    void missingToolsAndBtfAreNamedWithTheirFix() throws Exception {
        Build noClang = mvn("-Djbpf.clang=/nonexistent/clang");
        assertEquals(1, noClang.exit());
        assertTrue(noClang.has("jbpf: clang '/nonexistent/clang' not found; install it (Debian: apt-get install clang-19)"),
                noClang.output());
        Build noBtf = mvn("-Djbpf.btfFile=/nonexistent/vmlinux");
        assertEquals(1, noBtf.exit());
        assertTrue(noBtf.has("jbpf: no BTF at /nonexistent/vmlinux"), noBtf.output());
        assertTrue(noBtf.has("set <btfFile> to a BTF file"), noBtf.output());
    }

    @Test
    @Order(5)
    void aRemovedSourceTakesItsSkeletonAndObjectAlong() throws Exception {
        Files.copy(project().resolve("src/main/bpf/ticks.bpf.c"), project().resolve("src/main/bpf/ticks_copy.bpf.c"));
        Build two = mvn();
        assertEquals(0, two.exit(), two.output());
        Path copy = project().resolve("target/generated-sources/jbpf/demo/bpf/TicksCopy.java");
        assertTrue(Files.isRegularFile(copy));
        Files.delete(project().resolve("src/main/bpf/ticks_copy.bpf.c"));
        Build one = mvn();
        assertEquals(0, one.exit(), one.output());
        assertFalse(Files.exists(copy), "its skeleton is gone");
        assertFalse(Files.exists(project().resolve("target/generated-resources/jbpf/demo/bpf/ticks_copy.bpf.o")));
        assertNotEquals(0, Files.size(skeleton()));
    }

    @Test
    @Order(6)
    void twoSourcesThatWouldMakeTheSameClassAreNamedBoth() throws Exception {
        Path clash = project().resolve("src/main/bpf/Ticks.bpf.c");
        Files.copy(project().resolve("src/main/bpf/ticks.bpf.c"), clash);
        try {
            Build build = mvn();
            assertEquals(1, build.exit());
            assertTrue(build.has("jbpf: Ticks.bpf.c and ticks.bpf.c would both generate demo.bpf.Ticks: rename one of them"),
                    build.output());
        } finally {
            Files.delete(clash);
        }
    }
}
