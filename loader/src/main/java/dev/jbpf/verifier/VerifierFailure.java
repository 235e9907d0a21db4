package dev.jbpf.verifier;

/**
 * The kinds of verifier rejection jbpf recognises, each with a short title for people. Owns no
 * native memory.
 */
public enum VerifierFailure {
    UNINITIALIZED_READ("uninitialised register or stack read"),
    INFINITE_LOOP("unbounded loop"),
    INVALID_MEMORY_ACCESS("invalid memory access"),
    POINTER_ARITHMETIC("forbidden pointer arithmetic"),
    TOO_COMPLEX("program too large or too complex"),
    UNKNOWN_HELPER("unknown or disallowed helper or kfunc"),
    WRONG_ARGUMENT_TYPE("wrong argument type for a helper"),
    GPL_ONLY_HELPER("GPL-only helper in a program without a GPL-compatible license"),
    INVALID_RETURN("invalid return value"),
    UNRELEASED_REFERENCE("unreleased reference"),
    OUT_OF_BOUNDS("out-of-bounds packet or memory access"),
    CONTEXT_ACCESS("invalid context access"),
    STACK_LIMIT("stack access out of bounds or stack too large"),
    UNREACHABLE_CODE("unreachable or malformed code"),
    /** An instruction newer than the kernel's verifier (atomics with fetch, sign-extending loads): a compiler -mcpu too new. */
    UNSUPPORTED_INSTRUCTION("instruction newer than this kernel"),
    /** The log shows no failure jbpf knows: read the verifier's own lines. */
    UNRECOGNISED("not recognised");

    private final String title;

    VerifierFailure(String title) {
        this.title = title;
    }

    /** A few words for people, e.g. "unbounded loop". */
    public String title() {
        return title;
    }
}
