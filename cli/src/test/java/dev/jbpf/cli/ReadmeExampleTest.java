package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Every Java example in README.md compiles against the library as it is. */
class ReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

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
