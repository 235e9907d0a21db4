package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.VmTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pinning links and programs on bpffs; a pinned link keeps its program attached. */
@KernelTest
@VmTest
class PinTest {
    private Path dir;

    @BeforeEach
    void privileged() {
        dir = Path.of("/sys/fs/bpf", "jbpf-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @AfterEach
    void removePins() throws IOException {
        if (dir != null && Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    @Requires(Feature.PERF_EVENT_LINKS) // a tracepoint's link: only a BPF link can be pinned
    void pinnedLinkStaysAttachedUntilUnpinned() {
        Path pin = dir.resolve("links/getppid"); // parent directories do not exist yet
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfMap hash = loaded.map("hash_map");
            int linkId;
            try (BpfLink link = loaded.program("count_getppid").attach()) {
                link.pin(pin);
                assertTrue(Files.exists(pin));
                assertEquals(pin, link.pinPath().orElseThrow());
                linkId = link.id();
            }
            // the link object is closed, the pin keeps the program attached
            TestSupport.getppid(4);
            assertEquals(4, KernelEffects.counterOfThisProcess(hash));

            try (BpfLink reopened = BpfLink.openPinned(pin)) {
                assertEquals(linkId, reopened.id());
                reopened.unpin();
                assertFalse(Files.exists(pin));
                assertTrue(reopened.pinPath().isEmpty());
                assertThrows(IllegalStateException.class, reopened::unpin);
            }
            // last fd closed and no pin: detached
            TestSupport.getppid(4);
            assertEquals(4, KernelEffects.counterOfThisProcess(hash));
        }
    }

    @Test
    void programPinAndUnpin() {
        Path pin = dir.resolve("prog");
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfProgram program = loaded.program("count_getppid");
            program.pin(pin);
            assertTrue(Files.exists(pin));
            program.unpin(pin);
            assertFalse(Files.exists(pin));
        }
    }

    @Test
    void pinErrorsSayWhatIsWrong() {
        assertThrows(BpfNotFoundException.class, () -> BpfLink.openPinned(dir.resolve("nothing")));
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load();
                BpfLink link = loaded.program("count_getppid").attach()) {
            if (!Feature.PERF_EVENT_LINKS.support().available()) {
                // before 5.15: the tracepoint is attached with an ioctl, and there is no link to pin
                UnsupportedOperationException noLink = assertThrows(UnsupportedOperationException.class,
                        () -> link.pin(dir.resolve("ioctl")));
                assertTrue(noLink.getMessage().contains("(Linux 5.15 and later)"), noLink.getMessage());
                assertFalse(Files.exists(dir.resolve("ioctl")));
                return;
            }
            BpfException outside = assertThrows(BpfException.class, () -> link.pin(Path.of("/tmp/jbpf-not-bpffs")));
            assertTrue(outside.getMessage().contains("is not on a BPF file system"), outside.getMessage());
            link.pin(dir.resolve("twice"));
            BpfException twice = assertThrows(BpfException.class, () -> link.pin(dir.resolve("twice")));
            assertTrue(twice.getMessage().startsWith("pin link of maps/count_getppid"), twice.getMessage());
            link.unpin();
        }
    }
}
