package dev.jbpf.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.VerifierException;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each program of bpf-src/tests is rejected by this kernel's verifier, and jbpf names why.
 * The expected evidence is a piece of the verifier's own message, so a test passes only when
 * the real verifier said it.
 */
class VerifierDiagnosisTest {

    /** Each program of bpf-src/tests, the failure it shows, and a piece of the verifier's message. */
    private static final List<Arguments> CASES = List.of(
            Arguments.of("uninit_register", VerifierFailure.UNINITIALIZED_READ, "R2 !read_ok"),
            Arguments.of("infinite_loop", VerifierFailure.INFINITE_LOOP, "infinite loop detected"),
            Arguments.of("null_deref", VerifierFailure.INVALID_MEMORY_ACCESS, "invalid mem access 'map_value_or_null'"),
            Arguments.of("scalar_deref", VerifierFailure.INVALID_MEMORY_ACCESS, "invalid mem access 'scalar'"),
            Arguments.of("pointer_arith", VerifierFailure.POINTER_ARITHMETIC, "pointer arithmetic on map_ptr prohibited"),
            Arguments.of("too_complex", VerifierFailure.TOO_COMPLEX, "BPF program is too large"),
            Arguments.of("unknown_helper", VerifierFailure.UNKNOWN_HELPER, "invalid func unknown#10000"),
            Arguments.of("wrong_helper", VerifierFailure.UNKNOWN_HELPER, "cannot use helper bpf_skb_store_bytes"),
            Arguments.of("wrong_arg", VerifierFailure.WRONG_ARGUMENT_TYPE, "R2 type=ctx expected="),
            Arguments.of("gpl_only", VerifierFailure.GPL_ONLY_HELPER, "GPL-restricted function"),
            Arguments.of("no_return_value", VerifierFailure.INVALID_RETURN, "R0 !read_ok"),
            Arguments.of("bad_return_value", VerifierFailure.INVALID_RETURN, "At program exit the register R0"),
            Arguments.of("unreleased_ringbuf", VerifierFailure.UNRELEASED_REFERENCE, "Unreleased reference"),
            Arguments.of("packet_bounds", VerifierFailure.OUT_OF_BOUNDS, "invalid access to packet"),
            Arguments.of("map_value_bounds", VerifierFailure.OUT_OF_BOUNDS, "unbounded memory access"),
            Arguments.of("map_value_past_end", VerifierFailure.OUT_OF_BOUNDS, "outside of the allowed memory range"),
            Arguments.of("ctx_access", VerifierFailure.CONTEXT_ACCESS, "invalid bpf_context access"),
            Arguments.of("stack_limit", VerifierFailure.STACK_LIMIT, "invalid write to stack R10 off=-520"),
            Arguments.of("unreachable", VerifierFailure.UNREACHABLE_CODE, "unreachable insn"));

    static List<Arguments> cases() {
        return CASES;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    @KernelTest
    void theVerifierRejectsAndJbpfNamesTheFailure(String object, VerifierFailure expected, String message) {
        Path path = TestSupport.bpfObject("tests/" + object);
        VerifierException rejected = assertThrows(VerifierException.class, () -> BpfObject.open(path).load().close(),
                object + " was accepted by the verifier");
        VerifierDiagnosis diagnosis = rejected.diagnosis();
        System.out.println(object + " -> " + String.join("\n    ", diagnosis.describe()));
        assertEquals(expected, diagnosis.failure(), rejected.log());
        assertTrue(diagnosis.evidence().stream().anyMatch(line -> line.contains(message)),
                "evidence " + diagnosis.evidence() + " shows '" + message + "'\n" + rejected.log());
        assertTrue(rejected.log().contains(message), "the message is the verifier's own");
        assertFalse(diagnosis.cause().isBlank());
        assertFalse(diagnosis.fix().isBlank());
    }

    @Test
    @UnitTest
    void everyTestProgramHasACaseAndEveryFailureAProgram() throws Exception {
        Set<String> programs;
        try (var files = Files.list(Path.of(System.getProperty("jbpf.project.dir", ".."), "bpf-src", "tests"))) {
            programs = files.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".bpf.c"))
                    .map(name -> name.substring(0, name.length() - ".bpf.c".length())).collect(Collectors.toSet());
        }
        assertEquals(programs, CASES.stream().map(c -> (String) c.get()[0]).collect(Collectors.toSet()));
        Set<VerifierFailure> shown = CASES.stream().map(c -> (VerifierFailure) c.get()[1]).collect(Collectors.toSet());
        // UNSUPPORTED_INSTRUCTION: this host's verifier knows every instruction clang emits; older
        // kernels' messages are in otherKernelsMessages, and 5.10 in the VM matrix shows them (README, Kernels)
        assertEquals(EnumSet.complementOf(EnumSet.of(VerifierFailure.UNRECOGNISED, VerifierFailure.UNSUPPORTED_INSTRUCTION)), shown,
                "each kind jbpf names has a program the real verifier rejects for it");
    }

    /** Messages of other kernels and privileges than this host's, from their source (verifier.c). */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            UNINITIALIZED_READ   | invalid indirect read from stack R2 off -8+0 size 4
            UNINITIALIZED_READ   | invalid read from stack off -16+0 size 8
            INFINITE_LOOP        | back-edge from insn 7 to 3
            TOO_COMPLEX          | The sequence of 8193 jumps is too complex.
            STACK_LIMIT          | combined stack size of 3 calls is 544. Too large
            INVALID_MEMORY_ACCESS| R1 invalid mem access 'sock_or_null'
            UNKNOWN_HELPER       | unknown func bpf_ktime_get_coarse_ns#160
            UNKNOWN_HELPER       | kfunc 'bpf_iter_num_new' is referenced but wasn't resolved
            UNSUPPORTED_INSTRUCTION | BPF_STX uses reserved fields
            UNSUPPORTED_INSTRUCTION | BPF_LDX uses reserved fields
            OUT_OF_BOUNDS        | invalid access to map value, value_size=8 off=16 size=8
            UNRECOGNISED         | something the verifier never said
            """)
    @UnitTest
    void messagesOfOtherKernels(VerifierFailure expected, String message) {
        String log = "0: R1=ctx() R10=fp0\n0: (b7) r0 = 0                        ; R0_w=0\n" + message
                + "\nprocessed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
        VerifierDiagnosis diagnosis = VerifierDiagnosis.of(log);
        assertEquals(expected, diagnosis.failure(), diagnosis.toString());
        assertTrue(diagnosis.evidence().contains(message), diagnosis.toString());
    }
}
