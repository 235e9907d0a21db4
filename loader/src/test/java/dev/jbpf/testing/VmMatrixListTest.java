package dev.jbpf.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vm/kernel-matrix-tests and the @VmTest tags of the loader's tests agree. */
@UnitTest
class VmMatrixListTest {
    @Test
    void theListAndTheTagsAgree() {
        assertEquals(List.of(), VmMatrix.disagreements(VmMatrixListTest.class));
    }

    @Test
    void listLinesAreReadAsVmTestReadsThem(@TempDir Path dir) throws Exception {
        Path list = Files.writeString(dir.resolve("list"), "# comment\n dev.jbpf.link.KprobeTest  # kprobes\n\ndev.jbpf.map.*Test\n");
        List<java.util.regex.Pattern> patterns = VmMatrix.listed(list);
        assertEquals(2, patterns.size());
        assertTrue(patterns.get(0).matcher("dev.jbpf.link.KprobeTest").matches());
        assertTrue(patterns.get(1).matcher("dev.jbpf.map.BatchTest").matches());
        assertTrue(!patterns.get(1).matcher("dev.jbpf.map.sub.BatchTest").matches(), "* stays within a name");
    }
}
