package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * -h and --help on every command of the tree print its usage on stdout and exit 0, however
 * much else the command line lacks (required parameters, selectors).
 */
@UnitTest
class HelpTest {
    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().aliases().equals(new String[0]) && List.of(sub.getCommandSpec().aliases()).contains(name)) {
                return; // an alias: the same command under another name
            }
            List<String> longer = new ArrayList<>(path);
            longer.add(name);
            collect(sub, longer, paths);
        });
    }

    /** Every command that runs has an example, and each example is a command line picocli accepts. */
    @Test
    void everyCommandHasACorrectExample() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(new String[0]), List.of(), paths);
        for (List<String> path : paths) {
            CommandLine command = Main.commandLine(path.toArray(String[]::new));
            for (String name : path) {
                command = command.getSubcommands().get(name);
            }
            if (!command.getSubcommands().isEmpty() || path.equals(List.of("help")) || path.isEmpty()) {
                continue;
            }
            String qualified = "jbpf " + String.join(" ", path);
            String example = UsageExamples.BY_COMMAND.get(qualified);
            assertTrue(example != null, "no example for " + qualified);
            String[] args = example.substring("jbpf ".length()).split(" ");
            CommandLine fresh = Main.commandLine(args);
            fresh.parseArgs(args); // throws a ParameterException when the example is not a valid command line
        }
        Jbpf.Result error = Jbpf.run("map", "dump");
        assertEquals(2, error.exitCode());
        assertEquals(List.of("Example: jbpf map dump name counts", "Try 'jbpf map dump --help' for usage."),
                error.errLines().subList(1, 3), error.toString());
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(new String[0]), List.of(), paths);
        assertTrue(paths.size() >= 25, "the whole tree: " + paths.size() + " commands");
        for (List<String> path : paths) {
            if (path.equals(List.of("help"))) {
                continue; // picocli's own help command: its usage is picocli's
            }
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                Jbpf.Result result = Jbpf.run(args.toArray(String[]::new));
                String what = "jbpf " + String.join(" ", args) + ": " + result;
                if (flag.equals("-h") && !result.out().startsWith("Usage:")) {
                    // -h is another option of this command (e.g. a host): --help is its help
                    continue;
                }
                assertEquals(0, result.exitCode(), what);
                assertTrue(result.out().startsWith("Usage: jbpf"), what);
                assertEquals("", result.err(), what);
            }
        }
    }

    /** jbpf profile's help explains the Java options and what a JVM needs; its example uses them. */
    @Test
    void profileHelpExplainsJavaProfiling() {
        Jbpf.Result help = Jbpf.run("profile", "--help");
        assertEquals(0, help.exitCode(), help::toString);
        String text = help.out().replaceAll("\\s+", ""); // picocli wraps lines anywhere, even inside a path
        for (String expected : List.of("--jvm-perfmap", "jcmd PID Compiler.perfmap", "/tmp/perf-PID.map",
                "-XX:+PreserveFramePointer", "-XX:+DumpPerfMapAtExit", "_[j] Java, _[k] kernel")) {
            assertTrue(text.contains(expected.replace(" ", "")), "no '" + expected + "' in:\n" + help.out());
        }
        assertTrue(UsageExamples.BY_COMMAND.get("jbpf profile").contains(" --jvm-perfmap "), UsageExamples.BY_COMMAND.get("jbpf profile"));
    }
}
