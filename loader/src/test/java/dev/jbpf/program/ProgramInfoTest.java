package dev.jbpf.program;

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
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Program info beyond the kernel's struct: full names from BTF, memlock, and pinning by id. */
@KernelTest
class ProgramInfoTest {
    @Test
    void longNamesAreFullFromBtfAndFoundByEither() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("uprobes")).load()) {
            int id = loaded.program("count_getppid_by_section").id();
            ProgramInfo info = ProgramInfo.ofId(id);
            assertEquals("count_getppid_by_section", info.name());
            assertEquals("count_getppid_b", info.kernelName(), "the kernel keeps 15 characters");
            assertTrue(info.isNamed("count_getppid_by_section"));
            assertTrue(info.isNamed("count_getppid_b"));
            assertFalse(info.isNamed("count_getppid_by_sectionX"));
            assertFalse(info.isNamed("count_getppid_by_other"), "same 15-character cut, another full name");
            assertTrue(ProgramInfo.listAll().stream().anyMatch(p -> p.id() == id && p.name().equals("count_getppid_by_section")));
            assertTrue(info.bytesMemlock() > 0, "memlock from fdinfo: " + info);
            assertFalse(info.orphaned());

            // two programs that the kernel's cut would merge keep their own names
            int other = loaded.program("count_getppid_multi_by_section").id();
            assertEquals("count_getppid_multi_by_section", ProgramInfo.ofId(other).name());
            assertEquals("count_getppid_m", ProgramInfo.ofId(other).kernelName());

            int shortName = loaded.program("count_uprobe").id();
            assertEquals(ProgramInfo.ofId(shortName).kernelName(), ProgramInfo.ofId(shortName).name());
        }
    }

    @Test
    void aKernelProgramOpenedByIdPinsAndOutlivesItsObject() throws IOException {
        Path pin = Path.of("/sys/fs/bpf", "jbpf-test-progpin-" + ProcessHandle.current().pid(), "prog");
        int id;
        try {
            try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
                id = loaded.program("count_getppid").id();
                try (KernelProgram program = KernelProgram.openById(id)) {
                    assertEquals("count_getppid", program.info().name());
                    program.pin(pin);
                    BpfException twice = assertThrows(BpfException.class, () -> program.pin(pin));
                    assertTrue(twice.getMessage().contains("already exists"), twice.getMessage());
                }
            }
            assertEquals(id, ProgramInfo.ofPinned(pin).id(), "the pin keeps the program after its object closed");
            try (KernelProgram pinned = KernelProgram.openPinned(pin)) {
                assertEquals(id, pinned.id());
                assertTrue(pinned.image().xlated().length > 0, "the kernel's instructions of the pinned program");
                pinned.close();
                assertThrows(IllegalStateException.class, pinned::fd, "closed");
            }
            BpfException notAProgram = assertThrows(BpfException.class, () -> KernelProgram.openPinned(pin.getParent()));
            assertTrue(notAProgram.getMessage().contains("directory of pins"), notAProgram.getMessage());
        } finally {
            Files.deleteIfExists(pin);
            Files.deleteIfExists(pin.getParent());
        }
        int unpinned = id;
        assertTrue(KernelEffects.eventually(Duration.ofSeconds(5),
                () -> ProgramInfo.listAll().stream().noneMatch(p -> p.id() == unpinned)), "unloaded once unpinned");
        BpfNotFoundException gone = assertThrows(BpfNotFoundException.class, () -> KernelProgram.openById(unpinned));
        assertTrue(gone.getMessage().contains("no program has this id"), gone.getMessage());
    }
}
