package dev.jbpf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.BpfException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BpfFsTest {
    @Test
    void findsTheFileSystemOfAPath() {
        assertEquals("proc", BpfFs.fileSystemType(Path.of("/proc/self/status")));
        assertEquals("bpf", BpfFs.fileSystemType(Path.of("/sys/fs/bpf/anything/below")),
                "scripts/kernel-fs.sh mounts bpffs on /sys/fs/bpf");
    }

    @Test
    void refusesPathsOutsideBpffs() {
        BpfException e = assertThrows(BpfException.class, () -> BpfFs.ensureMounted(Path.of("/tmp/pin")));
        assertEquals("pin /tmp/pin: Invalid argument (EINVAL): is not on a BPF file system (bpffs); pin under /sys/fs/bpf",
                e.getMessage());
    }
}
