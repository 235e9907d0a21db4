package dev.jbpf.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.io.OutputStream;
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

/** Every Java example in tools/README.md compiles against the tools as they are. */
@UnitTest
class ToolsReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");

    @Test
    void readmeExamplesCompile(@TempDir Path temp) throws IOException {
        Path project = Path.of(System.getProperty("jbpf.project.dir", "..")).toAbsolutePath().normalize();
        String readme = Files.readString(project.resolve("tools/README.md"));
        Matcher blocks = JAVA_BLOCK.matcher(readme);
        List<String> args = new ArrayList<>(List.of("-d", temp.resolve("classes").toString(),
                "-classpath", System.getProperty("java.class.path"), "--release", "22", "-Xlint:none"));
        int examples = 0;
        while (blocks.find()) {
            Matcher name = CLASS_NAME.matcher(blocks.group(1));
            assertTrue(name.find(), "a tools/README.md example without a public class:\n" + blocks.group(1));
            Path source = temp.resolve(name.group(1) + ".java");
            Files.writeString(source, blocks.group(1));
            args.add(source.toString());
            examples++;
        }
        assertFalse(examples == 0, "tools/README.md has no Java example");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        int status = javac.run(null, null, new OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        }, args.toArray(String[]::new));
        assertEquals(0, status, () -> "tools/README.md example does not compile:\n" + diagnostics);
    }
}
