package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.UnitTest;
import dev.jbpf.testing.VmMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** vm/kernel-matrix-tests and the @VmTest tags of the CLI's tests agree. */
@UnitTest
class VmMatrixListCliTest {
    @Test
    void theListAndTheTagsAgree() {
        assertEquals(List.of(), VmMatrix.disagreements(VmMatrixListCliTest.class));
    }
}
