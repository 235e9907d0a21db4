package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Usage errors: exit 2 with a one-line reason and a hint; no privileges needed. */
@UnitTest
class UsageTest {
    @Test
    void noCommandIsAUsageError() {
        Jbpf.Result result = Jbpf.run();
        assertEquals(Main.EXIT_USAGE, result.exitCode(), result::toString);
    }

    @Test
    void unknownCommandIsAUsageError() {
        Jbpf.Result result = Jbpf.run("frobnicate");
        assertEquals(Main.EXIT_USAGE, result.exitCode(), result::toString);
        assertTrue(result.err().startsWith("Error: "), result::toString);
    }

    @Test
    void badSelectorsAreUsageErrors() {
        for (String[] args : new String[][] {
                {"map", "dump", "foo", "1"}, {"map", "dump", "id", "abc"}, {"map", "dump", "id", "-3"},
                {"map", "dump", "id"}, {"map", "dump"}}) {
            Jbpf.Result result = Jbpf.run(args);
            assertEquals(Main.EXIT_USAGE, result.exitCode(), () -> String.join(" ", args) + "\n" + result);
            assertTrue(result.err().startsWith("Error: "), result::toString);
            assertEquals(List.of("Example: jbpf map dump name counts", "Try 'jbpf map dump --help' for usage."),
                    result.errLines().subList(1, result.errLines().size()), result::toString);
        }
    }

    @Test
    void idsOutOfRangeAreUsageErrors() {
        for (String[] args : new String[][] {{"prog", "show", "id", "9999999999"}, {"map", "dump", "id", "9999999999"},
                {"prog", "show", "id", "0"}}) {
            Jbpf.Result result = Jbpf.run(args);
            assertEquals(Main.EXIT_USAGE, result.exitCode(), () -> String.join(" ", args) + "\n" + result);
            assertTrue(result.err().startsWith("Error: " + (args[0].equals("prog") ? "program" : "map")
                    + " id must be a positive integer up to 2147483647, not '"), result::toString);
        }
    }

    @Test
    void badDurationIsAUsageError() {
        Jbpf.Result result = Jbpf.run("attach", "whatever.bpf.o", "--duration", "-1");
        assertEquals(Main.EXIT_USAGE, result.exitCode(), result::toString);
    }

    @Test
    void helpAndVersionWork() {
        Jbpf.Result help = Jbpf.run("--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().contains("attach"), help::toString);
        Jbpf.Result version = Jbpf.run("--version");
        assertEquals(0, version.exitCode(), version::toString);
        assertTrue(version.out().contains("libbpf 1."), version::toString);
    }
}
