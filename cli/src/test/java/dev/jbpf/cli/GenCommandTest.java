package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jbpf gen skeleton and jbpf gen vmlinux: what they write, -j, help, and one-line errors. The
 * generated code itself is tested in codegen/ (shapes, compilation, the kernel end to end).
 */
@UnitTest
class GenCommandTest {
    @Test
    void skeletonWritesTheClassAndSaysWhere(@TempDir Path dir) throws Exception {
        Path object = TestSupport.bpfObject("opensnoop");
        Jbpf.Result text = Jbpf.run("gen", "skeleton", object.toString(), "--package", "com.example", "--out",
                dir.toString(), "--type", "open_event");
        assertEquals(0, text.exitCode(), text.toString());
        Path file = dir.resolve("com/example/Opensnoop.java");
        assertEquals(file + "\n", text.out());
        String source = Files.readString(file);
        assertTrue(source.contains("public record OpenEvent("), source);
        assertTrue(source.contains("public TypedMap<Integer, Long> counts() {"), source);

        Jbpf.Result json = Jbpf.run("gen", "skeleton", object.toString(), "--package", "com.example", "--out",
                dir.toString(), "--class", "Snoop", "--type", "open_event", "-j");
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertEquals(dir.resolve("com/example/Snoop.java").toString(), node.get("file").asText());
        assertEquals("com.example.Snoop", node.get("class").asText());
        assertEquals("open_event", node.get("types").get(0).asText());
        assertTrue(Files.readString(dir.resolve("com/example/Snoop.java")).contains("public final class Snoop "));
    }

    @Test
    void errorsAreOneLine(@TempDir Path dir) {
        Path object = TestSupport.bpfObject("opensnoop");
        Jbpf.Result missingType = Jbpf.run("gen", "skeleton", object.toString(), "--package", "p", "--out",
                dir.toString(), "--type", "open_evnt");
        assertEquals(1, missingType.exitCode());
        assertEquals(1, missingType.errLines().size(), missingType.toString());
        assertTrue(missingType.err().startsWith("Error: --type open_evnt: no such struct, union, enum or typedef in"
                + " opensnoop.bpf.o (closest: open_event)"), missingType.err());
        Jbpf.Result notBpf = Jbpf.run("gen", "skeleton", "/bin/true", "--package", "p", "--out", dir.toString());
        assertEquals(1, notBpf.exitCode());
        assertEquals(1, notBpf.errLines().size(), notBpf.toString());
        Jbpf.Result noPackage = Jbpf.run("gen", "skeleton", object.toString(), "--out", dir.toString());
        assertEquals(2, noPackage.exitCode());
        for (List<String> help : List.of(List.of("gen", "--help"), List.of("gen", "skeleton", "--help"),
                List.of("gen", "vmlinux", "--help"))) {
            Jbpf.Result result = Jbpf.run(help.toArray(String[]::new));
            assertEquals(0, result.exitCode(), help + ": " + result);
            assertTrue(result.out().startsWith("Usage: jbpf gen"), result.out());
        }
    }

    @Test
    void vmlinuxWritesAHeaderClangCompilesAgainst(@TempDir Path dir) throws Exception {
        Path header = dir.resolve("vmlinux.h");
        Jbpf.Result result = Jbpf.run("gen", "vmlinux", "--out", header.toString());
        assertEquals(0, result.exitCode(), result.toString());
        String text = Files.readString(header);
        assertTrue(text.startsWith("#ifndef __VMLINUX_H__\n"));
        assertTrue(text.contains("struct task_struct {"));
        assertTrue(text.endsWith("#endif /* __VMLINUX_H__ */\n"));
        // opensnoop.bpf.c compiles against it as against bpftool's
        Path object = dir.resolve("opensnoop.bpf.o");
        Process clang = new ProcessBuilder("clang-19", "-target", "bpf", "-g", "-O2", "-D__TARGET_ARCH_x86",
                "-I" + dir, "-I" + Jbpf.projectDir().resolve("bpf-src"), "-c",
                Jbpf.projectDir().resolve("bpf-src/opensnoop.bpf.c").toString(), "-o", object.toString())
                .redirectErrorStream(true).start();
        String output = new String(clang.getInputStream().readAllBytes());
        assertEquals(0, clang.waitFor(), output);
        assertTrue(Files.size(object) > 0);
        Jbpf.Result noBtf = Jbpf.run("gen", "vmlinux", "--btf", "/nonexistent", "--out", header.toString());
        assertEquals(1, noBtf.exitCode());
        assertEquals(1, noBtf.errLines().size(), noBtf.toString());
    }
}
