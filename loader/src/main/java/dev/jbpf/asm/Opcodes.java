package dev.jbpf.asm;

/**
 * The eBPF opcode fields and pseudo-source markers of {@code linux/bpf.h} and
 * {@code linux/bpf_common.h}, for decoding and for assembling instructions by hand.
 */
public final class Opcodes {
    private Opcodes() {
    }

    /** Classes (low 3 bits). */
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06,
            ALU64 = 0x07;
    /** Access sizes. */
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    /** Load and store modes; MEMSX is the sign-extending load (cpu v4), ATOMIC the atomics. */
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
    /** The kernel-internal speculation barrier ({@code BPF_ST | BPF_NOSPEC}) the verifier inserts. */
    public static final int NOSPEC = 0xc0;
    /** Operand source: immediate or register; for {@link #END}, little- or big-endian target. */
    public static final int K = 0x00, X = 0x08, TO_LE = 0x00, TO_BE = 0x08;
    /** ALU operations. */
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
    /** Jump operations. */
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
            JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0, JCOND = 0xe0;
    /** Atomic operations (the immediate of a {@code BPF_STX | BPF_ATOMIC}). */
    public static final int FETCH = 0x01, XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH, LOAD_ACQ = 0x100,
            STORE_REL = 0x110;
    /** Pseudo sources of {@code ld_imm64}. */
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;
    /** Pseudo sources of calls: BPF-to-BPF call, kernel function (kfunc) call. */
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;
    /** The offset of {@code mov} that makes it {@code addr_space_cast} (arena pointers). */
    public static final int ADDR_SPACE_CAST = 1;
}
