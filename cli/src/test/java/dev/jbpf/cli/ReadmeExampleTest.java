package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java example in README.md compiles against the library as it is; the BPF C program of
 * "Use jbpf in your project" is compiled with clang and its skeleton generated first, so the
 * Java that uses the skeleton compiles against what the generator really writes.
 */
@UnitTest
class ReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");
    /** "`src/main/bpf/NAME.bpf.c`:" then a C block: a program the README's Java uses through its skeleton. */
    private static final Pattern BPF_PROGRAM = Pattern.compile("`src/main/bpf/(\\w+)\\.bpf\\.c`:\\n\\n```c\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern TYPES = Pattern.compile("With `<types><type>(\\w+)</type></types>`");

    @Test
    void readmeExamplesCompile(@TempDir Path temp) throws IOException {
        String readme = Files.readString(Jbpf.projectDir().resolve("README.md"));
        Matcher blocks = JAVA_BLOCK.matcher(readme);
        List<String> sources = new ArrayList<>();
        while (blocks.find()) {
            String code = blocks.group(1);
            Matcher name = CLASS_NAME.matcher(code);
            assertTrue(name.find(), "a README example without a public class:\n" + code);
            Path source = temp.resolve(name.group(1) + ".java");
            Files.writeString(source, code);
            sources.add(source.toString());
        }
        assertFalse(sources.isEmpty(), "README.md has no Java example");
        Matcher program = BPF_PROGRAM.matcher(readme);
        assertTrue(program.find(), "README.md has the BPF C program of 'Use jbpf in your project'");
        Matcher types = TYPES.matcher(readme);
        assertTrue(types.find(), "README.md says which --type the program needs");
        Path c = temp.resolve(program.group(1) + ".bpf.c");
        Files.writeString(c, program.group(2));
        Path object = temp.resolve(program.group(1) + ".bpf.o");
        Process clang = new ProcessBuilder("clang-19", "-target", "bpf", "-g", "-O2", "-D__TARGET_ARCH_x86",
                "-I" + Jbpf.projectDir().resolve("build/bpf"), "-c", c.toString(), "-o", object.toString())
                .redirectErrorStream(true).start();
        String clangOutput = new String(clang.getInputStream().readAllBytes());
        try {
            assertEquals(0, clang.waitFor(), "the README's BPF C does not compile:\n" + clangOutput);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        sources.add(dev.jbpf.codegen.SkeletonGenerator.write(object, new dev.jbpf.codegen.SkeletonGenerator.Options(
                "com.example.bpf", null, List.of(types.group(1))), temp.resolve("generated")).toString());

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", temp.resolve("classes").toString(),
                "-classpath", System.getProperty("java.class.path"), "--release", "22", "-Xlint:none"));
        args.addAll(sources);
        StringWriter diagnostics = new StringWriter();
        int status = javac.run(null, null, new java.io.OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        }, args.toArray(String[]::new));
        assertEquals(0, status, () -> "README example does not compile:\n" + diagnostics);
    }
}
