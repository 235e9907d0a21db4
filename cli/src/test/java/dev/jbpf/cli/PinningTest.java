package dev.jbpf.cli;

import dev.jbpf.testing.Figures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins are never overwritten without --force (and a failed --force puts the old pin back),
 * never land outside bpffs or outside their directory, and are the owner's only (0600,
 * directories 0700) unless --pin-mode asks otherwise. Objects are compared by kernel id.
 */
@KernelTest
class PinningTest {
    private static final Figures FIGURES = new Figures("pinning", "Pinning");
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-pinning-" + ProcessHandle.current().pid());
    @TempDir
    Path temp;

    @AfterEach
    void unpin() throws IOException {
        BadInputTest.deleteRecursively(dir);
    }

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    private static final String FORCE = "existing pins without and with --force (map pin, map create, load --pin)";
    private static final String FORCE_OUTCOME = "as expected: refused without --force, replaced with it (checked by id)";
    private static final String OFF_BPFFS = "pin paths off bpffs (/tmp, '..', a symlink out of bpffs)";
    private static final String OFF_BPFFS_OUTCOME = "as expected: refused in one line (statfs magic), nothing created there";
    private static final String NAMES = "pin names with '..' or '/', map names with '/'";
    private static final String NAMES_OUTCOME = "as expected: refused, nothing pinned";
    private static final String MODES = "pin permissions (stat): default, --pin-mode, bad modes";
    private static final String MODES_OUTCOME = "as expected: 0600 pins and 0700 directories by default, the asked-for mode with --pin-mode, bad modes exit 2";
    private static final String RESTORE = "--force whose new pin fails";
    private static final String RESTORE_OUTCOME = "as expected: the old pin is pinned back (same map id)";

    private Path createMap(String name) {
        Path path = dir.resolve(name);
        Jbpf.Result result = Jbpf.run("map", "create", path.toString(), "--type", "hash", "--key", "4", "--value", "8",
                "--entries", "4");
        assertEquals(0, result.exitCode(), result::toString);
        return path;
    }

    private static int pinnedMapId(Path path) {
        try (BpfMap map = BpfMap.openPinned(path)) {
            return map.id();
        }
    }

    private static void assertUsageError(Jbpf.Result result, String fragment) {
        assertEquals(Main.EXIT_USAGE, result.exitCode(), result::toString);
        assertTrue(result.errLines().get(0).contains(fragment), result::toString);
    }

    @Test
    void anExistingPinIsReplacedOnlyWithForce() throws Exception {
        Path a = createMap("a");
        Path b = createMap("b");
        int idA = pinnedMapId(a);
        int idB = pinnedMapId(b);
        FIGURES.check(FORCE, FORCE_OUTCOME, () -> {
            BadInputTest.assertOneLineFailure(Jbpf.run("map", "pin", "pinned", b.toString(), a.toString()),
                    a.toString(), "pinned there already", "--force");
            assertEquals(idA, pinnedMapId(a), "the refused pin changed what a pins");
        });
        FIGURES.check(FORCE, FORCE_OUTCOME, () -> {
            BadInputTest.assertOneLineFailure(Jbpf.run("map", "create", a.toString(), "--type", "array", "--key", "4",
                    "--value", "4", "--entries", "1"), "pinned there already");
            assertEquals(idA, pinnedMapId(a));
        });
        FIGURES.check(FORCE, FORCE_OUTCOME, () -> {
            Jbpf.Result forced = Jbpf.run("map", "pin", "pinned", b.toString(), a.toString(), "--force");
            assertEquals(0, forced.exitCode(), forced::toString);
            assertEquals(idB, pinnedMapId(a), "--force did not replace the pin");
            assertThrows(BpfNotFoundException.class, () -> BpfMap.openById(idA).close(), "the replaced map lives on");
        });
    }

    @Test
    void aPinDirectoryIsReplacedOnlyWithForce() throws Exception {
        String maps = TestSupport.bpfObject("maps").toString();
        Jbpf.Result first = Jbpf.run("load", maps, "--pin", dir.toString());
        assertEquals(0, first.exitCode(), first::toString);
        Path prog = dir.resolve("progs/count_getppid");
        int firstProgram = ProgramInfo.ofPinned(prog).id();
        FIGURES.check(FORCE, FORCE_OUTCOME, () -> {
            BadInputTest.assertOneLineFailure(Jbpf.run("load", maps, "--pin", dir.toString()), "already holds pins", "--force");
            assertEquals(firstProgram, ProgramInfo.ofPinned(prog).id());
        });
        FIGURES.check(FORCE, FORCE_OUTCOME, () -> {
            Jbpf.Result forced = Jbpf.run("load", maps, "--pin", dir.toString(), "--force");
            assertEquals(0, forced.exitCode(), forced::toString);
            int secondProgram = ProgramInfo.ofPinned(prog).id();
            assertNotEquals(firstProgram, secondProgram);
            assertThrows(BpfNotFoundException.class, () -> ProgramInfo.ofId(firstProgram), "the replaced program stays loaded");
        });
    }

    @Test
    void aFailedForcePutsTheOldPinBack() throws Exception {
        Path a = createMap("maps/a");
        int idA = pinnedMapId(a);
        FIGURES.check(RESTORE, RESTORE_OUTCOME, () -> {
            PinOptions force = new PinOptions();
            force.force = true;
            PinDirectory pins = PinDirectory.prepare(dir, force);
            assertThrows(BpfException.class, () -> pins.pin("maps", "a", path -> {
                assertFalse(Files.exists(path), "the old pin is taken away first");
                throw new BpfException("pin", "a", "a pin that fails");
            }));
            pins.rollBack();
            assertEquals(idA, pinnedMapId(a), "the old pin was not put back");
        });
    }

    @Test
    void nothingIsPinnedOffBpffs() throws Exception {
        Path a = createMap("a");
        Path link = dir.resolve("to-tmp");
        Files.createSymbolicLink(link, temp);
        for (Path outside : List.of(temp.resolve("x"), Path.of(dir + "/../../../../" + temp + "/y"), link.resolve("z"))) {
            FIGURES.check(OFF_BPFFS, OFF_BPFFS_OUTCOME, () -> {
                BadInputTest.assertOneLineFailure(Jbpf.run("map", "pin", "pinned", a.toString(), outside.toString()),
                        "not on a BPF file system");
                try (Stream<Path> files = Files.list(temp)) {
                    assertEquals(List.of(), files.toList(), "something was pinned in " + temp);
                }
            });
        }
        FIGURES.check(OFF_BPFFS, OFF_BPFFS_OUTCOME, () -> BadInputTest.assertOneLineFailure(
                Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", temp.resolve("d").toString()),
                "not on a BPF file system"));
        FIGURES.check(OFF_BPFFS, OFF_BPFFS_OUTCOME, () -> BadInputTest.assertOneLineFailure(Jbpf.run("map", "create", temp.resolve("q").toString(),
                "--type", "queue", "--value", "4", "--entries", "4"), "not on a BPF file system"));
    }

    @Test
    void namesMayNotLeaveTheirDirectory() throws Exception {
        PinDirectory pins = PinDirectory.prepare(dir, new PinOptions());
        for (String name : List.of("..", "../../escape", "/etc/escape", "a/b", "")) {
            FIGURES.check(NAMES, NAMES_OUTCOME, () -> {
                BpfException e = assertThrows(BpfException.class, () -> pins.pin("maps", name, path -> {
                    throw new AssertionError("pinned at " + path);
                }));
                assertTrue(e.getMessage().contains("not usable as a pin name"), e.getMessage());
            });
        }
        pins.rollBack();
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/escape")));
        FIGURES.check(NAMES, NAMES_OUTCOME, () -> assertUsageError(Jbpf.run("map", "create", dir.resolve("q").toString(), "--type", "hash",
                "--key", "4", "--value", "4", "--entries", "4", "--name", "../q"), "not a path"));
    }

    @Test
    void pinsAreTheOwnersOnlyUnlessAsked() throws Exception {
        String maps = TestSupport.bpfObject("maps").toString();
        FIGURES.check(MODES, MODES_OUTCOME, () -> {
            Jbpf.Result result = Jbpf.run("load", maps, "--pin", dir.resolve("private").toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertModes(dir.resolve("private"), "rw-------", "rwx------");
        });
        FIGURES.check(MODES, MODES_OUTCOME, () -> {
            Jbpf.Result result = Jbpf.run("load", maps, "--pin", dir.resolve("shared").toString(), "--pin-mode", "0640");
            assertEquals(0, result.exitCode(), result::toString);
            assertModes(dir.resolve("shared"), "rw-r-----", "rwxr-x---");
        });
        FIGURES.check(MODES, MODES_OUTCOME, () -> {
            Path single = dir.resolve("single");
            Jbpf.Result result = Jbpf.run("map", "pin", "pinned", dir.resolve("shared/maps/hash_map").toString(),
                    single.toString(), "--pin-mode", "604");
            assertEquals(0, result.exitCode(), result::toString);
            assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(single)));
        });
        for (String bad : List.of("0999", "rw-r--r--", "01777", "")) {
            FIGURES.check(MODES, MODES_OUTCOME, () -> assertUsageError(Jbpf.run("load", maps, "--pin", dir.resolve("bad").toString(),
                    "--pin-mode", bad), "--pin-mode"));
        }
        assertFalse(Files.exists(dir.resolve("bad")));
    }

    /** Every pin under root has fileMode, every directory (root included) dirMode. */
    private static void assertModes(Path root, String fileMode, String dirMode) throws IOException {
        int pins = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
                assertEquals(Files.isDirectory(path) ? dirMode : fileMode, mode, path.toString());
                pins += Files.isDirectory(path) ? 0 : 1;
            }
        }
        assertTrue(pins >= 7, "expected the 2 programs and 5 maps of maps.bpf.o pinned under " + root);
    }
}
