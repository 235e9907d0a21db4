package dev.jbpf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfFsTest {
    @TempDir
    Path temp;

    @Test
    @UnitTest
    void tellsBpffsByItsStatfsMagic() {
        assertTrue(BpfFs.isOnBpfFs(Path.of("/sys/fs/bpf/anything/below")), "scripts/kernel-fs.sh mounts bpffs on /sys/fs/bpf");
        assertFalse(BpfFs.isOnBpfFs(Path.of("/proc/self/status")));
        assertFalse(BpfFs.isOnBpfFs(temp.resolve("pin")));
        assertFalse(BpfFs.isOnBpfFs(Path.of("/sys/fs/bpf/../../tmp/pin")), "'..' climbs off bpffs");
    }

    @Test
    @UnitTest
    void refusesPathsOutsideBpffs() {
        BpfException e = assertThrows(BpfException.class, () -> BpfFs.ensureMounted(Path.of("/tmp/pin")));
        assertEquals("pin /tmp/pin: Invalid argument (EINVAL): is not on a BPF file system (bpffs); pin under /sys/fs/bpf",
                e.getMessage());
        assertThrows(BpfException.class, () -> BpfFs.ensureMounted(Path.of("/sys/fs/bpf/../../tmp/pin")));
    }

    @Test
    @KernelTest(root = true)
    void refusesASymlinkInBpffsThatLeadsOffIt() throws Exception {
        Path link = Path.of("/sys/fs/bpf", "jbpf-test-symlink-" + ProcessHandle.current().pid());
        Files.createSymbolicLink(link, temp); // root may (@KernelTest(root = true))
        try {
            assertFalse(BpfFs.isOnBpfFs(link.resolve("pin")));
            assertThrows(BpfException.class, () -> BpfFs.ensureMounted(link.resolve("pin")));
        } finally {
            Files.deleteIfExists(link);
        }
    }

    @Test
    @UnitTest
    void pinNamesMayNotLeaveTheirDirectory() {
        assertEquals("counts", BpfFs.requirePinName("counts"));
        for (String bad : new String[] {"", ".", "..", "../etc", "/etc/passwd", "a/b", "x\0y"}) {
            BpfException e = assertThrows(BpfException.class, () -> BpfFs.requirePinName(bad), bad);
            assertTrue(e.getMessage().contains("not usable as a pin name"), e.getMessage());
        }
    }
}
