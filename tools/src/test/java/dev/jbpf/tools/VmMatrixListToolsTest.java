package dev.jbpf.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.UnitTest;
import dev.jbpf.testing.VmMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vm/kernel-matrix-tests and the @VmTest tags of the tools' tests agree. */
@UnitTest
class VmMatrixListToolsTest {
    @Test
    void theListAndTheTagsAgree() {
        assertEquals(List.of(), VmMatrix.disagreements(VmMatrixListToolsTest.class));
    }
}
