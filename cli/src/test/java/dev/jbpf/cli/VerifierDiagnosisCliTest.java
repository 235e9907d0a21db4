package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A verifier rejection at the CLI: the one-line error, the verifier's lines, then jbpf's diagnosis. */
@KernelTest
class VerifierDiagnosisCliTest {

    @Test
    void diagnosisFollowsTheVerifiersReason() {
        Jbpf.Result result = Jbpf.run("load", TestSupport.bpfObject("tests/unreleased_ringbuf").toString());
        assertEquals(Main.EXIT_FAILED, result.exitCode(), result::toString);
        List<String> err = result.errLines();
        assertTrue(err.get(0).startsWith("Error: load program ") && err.get(0).contains("reserve_and_forget"), result::toString);
        int reason = indexOf(err, "Unreleased reference id=");
        int diagnosis = indexOf(err, "Diagnosis: unreleased reference");
        assertTrue(reason > 0 && diagnosis > reason, "the verifier's line first, then the diagnosis:\n" + result);
        assertTrue(err.get(diagnosis + 1).strip().startsWith("Cause:"), result::toString);
        assertTrue(err.get(diagnosis + 2).strip().startsWith("Fix:") && err.get(diagnosis + 2).contains("bpf_ringbuf_submit"),
                result::toString);
        // the reservation the verifier means, which its last lines do not show
        assertTrue(result.err().contains("call bpf_ringbuf_reserve#"), result::toString);
        assertFalse(result.err().contains("\tat "), result::toString);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
