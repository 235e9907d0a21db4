package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jbpf completion bash: a script bash runs, completing commands and options from the tree. */
@UnitTest
class CompletionTest {
    private static String complete(Path script, String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append('\'').append(word).append("' ");
        }
        String program = "source " + script + "; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; _complete_jbpf 2>/dev/null; echo \"${COMPREPLY[@]}\"";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes()).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }

    @Test
    void bashCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
        Jbpf.Result result = Jbpf.run("completion", "bash");
        assertEquals(0, result.exitCode(), result.toString());
        Path script = Files.writeString(dir.resolve("jbpf.bash"), result.out());
        assertEquals("dump delete", complete(script, "jbpf", "map", "d"));
        assertEquals("skeleton", complete(script, "jbpf", "gen", "sk"));
        assertTrue(complete(script, "jbpf", "gen", "skeleton", "--p").contains("--package"));
        Jbpf.Result fish = Jbpf.run("completion", "fish");
        assertEquals(2, fish.exitCode());
        assertTrue(fish.err().startsWith("Error: unknown shell 'fish': bash or zsh"), fish.err());
    }
}
