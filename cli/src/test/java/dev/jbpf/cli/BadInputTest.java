package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets exit 1 and a one-line error naming the problem, no JVM crash, and leaves
 * nothing loaded, pinned or attached.
 */
@KernelTest
class BadInputTest {
    @TempDir
    Path temp;
    private java.util.Map<String, Integer> bpfFdsBefore;

    @BeforeEach
    void rememberPrograms() {
        bpfFdsBefore = Jbpf.bpfFds();
    }

    @AfterEach
    void nothingLeftLoaded() {
        if (bpfFdsBefore != null) {
            // by this JVM's fds, not the kernel's list: other processes load programs meanwhile
            assertEquals(bpfFdsBefore, Jbpf.bpfFds(), "programs, maps or links left open");
        }
    }

    /** Exit 1, one line starting "Error: " holding every fragment, no stack trace. */
    static void assertOneLineFailure(Jbpf.Result result, String... fragments) {
        assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
        assertEquals(1, result.errLines().size(), () -> "expected one line\n" + result);
        String line = result.errLines().get(0);
        assertTrue(line.startsWith("Error: "), result::toString);
        for (String fragment : fragments) {
            assertTrue(line.contains(fragment), () -> "expected '" + fragment + "' in\n" + result);
        }
        assertFalse(result.err().contains("\tat "), "stack trace in\n" + result);
    }

    @Test
    void missingFile() {
        assertOneLineFailure(Jbpf.run("load", temp.resolve("nope.bpf.o").toString()), "nope.bpf.o", "ENOENT");
    }

    @Test
    void fileThatIsNotElf() throws IOException {
        Path text = Files.writeString(temp.resolve("notes.txt"), "these are not the programs you are looking for\n");
        assertOneLineFailure(Jbpf.run("load", text.toString()), "notes.txt", "not an ELF");
    }

    @Test
    void elfThatIsNotBpf() {
        assertOneLineFailure(Jbpf.run("load", "/bin/true"), "/bin/true", "not a BPF object");
    }

    @Test
    void truncatedObject() throws IOException {
        byte[] whole = Files.readAllBytes(TestSupport.bpfObject("opensnoop"));
        Path truncated = Files.write(temp.resolve("truncated.bpf.o"), Arrays.copyOf(whole, whole.length / 3));
        assertOneLineFailure(Jbpf.run("load", truncated.toString()), "truncated.bpf.o");
    }

    @Test
    void verifierRejectionShowsTheReason() {
        Jbpf.Result result = Jbpf.run("load", TestSupport.bpfObject("verifier_reject").toString());
        assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
        assertTrue(result.errLines().get(0).startsWith("Error: "), result::toString);
        assertTrue(result.errLines().get(0).contains("unchecked_lookup"), result::toString);
        assertTrue(result.err().contains("invalid mem access 'map_value_or_null'"), result::toString);
        assertFalse(result.err().contains("\tat "), result::toString);
    }

    @Test
    void verifierLogOptionShowsTheWholeLog() {
        Jbpf.Result rejected = Jbpf.run("load", TestSupport.bpfObject("verifier_reject").toString(), "--verifier-log");
        assertEquals(Main.EXIT_FAILED, rejected.exitCode(), rejected::toString);
        assertTrue(rejected.err().contains("call bpf_map_lookup_elem"), "whole log expected:\n" + rejected);
        assertTrue(rejected.err().contains("processed "), "whole log expected:\n" + rejected);

        Jbpf.Result accepted = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--verifier-log");
        assertEquals(0, accepted.exitCode(), accepted::toString);
        assertTrue(accepted.out().contains("Verifier log of count_getppid:"), accepted::toString);
        assertTrue(accepted.out().contains("processed "), accepted::toString);
    }

    @Test
    void unknownProgramName() {
        Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "no_such_prog", "--duration", "1");
        assertOneLineFailure(result, "no_such_prog", "count_getppid");
    }

    @Test
    void unknownMapName() {
        assertOneLineFailure(Jbpf.run("map", "dump", "name", "no_such_map_here"), "no_such_map_here");
    }

    @Test
    void unknownMapId() {
        assertOneLineFailure(Jbpf.run("map", "dump", "id", "999999"), "999999");
    }

    @Test
    void pinDirectoryThatAlreadyHoldsPins() throws IOException {
        Path dir = Path.of("/sys/fs/bpf", "jbpf-test-occupied-" + ProcessHandle.current().pid());
        try {
            Jbpf.Result first = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", dir.toString());
            assertEquals(0, first.exitCode(), first::toString);
            List<Path> pinsBefore = listPins(dir);
            java.util.Map<String, Integer> fdsWithPins = Jbpf.bpfFds();

            Jbpf.Result second = Jbpf.run("attach", TestSupport.bpfObject("opensnoop").toString(), "--pin", dir.toString());
            assertOneLineFailure(second, dir.toString(), "already holds pins");
            assertEquals(pinsBefore, listPins(dir), "the failed command changed the pins");
            assertEquals(fdsWithPins, Jbpf.bpfFds(), "the failed command left programs loaded");
        } finally {
            deleteRecursively(dir);
        }
    }

    static List<Path> listPins(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            return paths.sorted().toList();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
