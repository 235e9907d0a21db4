package dev.jbpf.asm;

import static dev.jbpf.asm.Opcodes.*;

/**
 * Prints instructions in the notation of the kernel's verifier log and of {@code bpftool prog
 * dump xlated}: {@code (bf) r6 = r1}, {@code (61) r1 = *(u32 *)(r10 -4)}, {@code (85) call
 * bpf_ringbuf_reserve#388560}, {@code (db) lock *(u64 *)(r0 +0) += r7}. The opcode in
 * parentheses comes first, as there. What calls and 64-bit immediates are named depends on
 * where the instructions come from (a loaded program, a {@code .bpf.o}), so a {@link Names}
 * supplies those; without names the kernel's own fallbacks are printed. Stateless.
 */
public final class Disassembler {
    private static final String[] ALU_NAMES = new String[16];
    private static final String[] JUMP_NAMES = new String[16];
    private static final String[] ATOMIC_OP = new String[16];

    static {
        Object[][] alu = {{"+=", ADD}, {"-=", SUB}, {"*=", MUL}, {"/=", DIV}, {"|=", OR}, {"&=", AND},
            {"<<=", LSH}, {">>=", RSH}, {"neg", NEG}, {"%=", MOD}, {"^=", XOR}, {"=", MOV}, {"s>>=", ARSH},
            {"endian", END}};
        for (Object[] entry : alu) {
            ALU_NAMES[(Integer) entry[1] >> 4] = (String) entry[0];
        }
        Object[][] jumps = {{"jmp", JA}, {"==", JEQ}, {">", JGT}, {"<", JLT}, {">=", JGE}, {"<=", JLE},
            {"&", JSET}, {"!=", JNE}, {"s>", JSGT}, {"s<", JSLT}, {"s>=", JSGE}, {"s<=", JSLE}, {"call", CALL},
            {"exit", EXIT}};
        for (Object[] entry : jumps) {
            JUMP_NAMES[(Integer) entry[1] >> 4] = (String) entry[0];
        }
        ATOMIC_OP[ADD >> 4] = "add";
        ATOMIC_OP[AND >> 4] = "and";
        ATOMIC_OP[OR >> 4] = "or";
        ATOMIC_OP[XOR >> 4] = "xor";
    }

    /**
     * Names for what an instruction refers to by number. Each method returns null to leave the
     * kernel's fallback in place.
     */
    public interface Names {
        /** The helper of this id ("bpf_map_lookup_elem"), or null when unknown. */
        default String helper(int id) {
            return null;
        }

        /**
         * A call the helper table did not name: a helper by address (translated programs), a
         * pseudo call (printed after "pc"), a kfunc.
         */
        default String call(Instruction call) {
            return null;
        }

        /** The operand of an {@code ld_imm64}: "map[id:5]", "map[counts]", ... */
        default String imm64(Instruction load) {
            return null;
        }
    }

    /** Names nothing: helper ids, pc offsets and raw immediates are printed as numbers. */
    public static final Names NO_NAMES = new Names() {
    };

    private Disassembler() {
    }

    private static String type(int size) {
        return switch (size) {
            case W -> "u32";
            case H -> "u16";
            case B -> "u8";
            default -> "u64";
        };
    }

    private static String signedType(int size) {
        return switch (size) {
            case W -> "s32";
            case H -> "s16";
            case B -> "s8";
            default -> "(null)";
        };
    }

    private static String hex2(int opcode) {
        return String.format("(%02x)", opcode);
    }

    private static String signed(int value) {
        return (value >= 0 ? "+" : "") + value;
    }

    /** One instruction, without its slot number: "(bf) r6 = r1". */
    public static String format(Instruction insn, Names names) {
        int cls = insn.instructionClass();
        String code = hex2(insn.opcode());
        return switch (cls) {
            case ALU, ALU64 -> code + " " + alu(insn, cls);
            case STX -> store(insn, code);
            case ST -> {
                if (insn.mode() == MEM) {
                    yield code + " *(" + type(insn.size()) + " *)(r" + insn.dst() + " " + signed(insn.offset()) + ") = "
                            + insn.imm();
                }
                yield insn.mode() == NOSPEC ? code + " nospec" : String.format("BUG_st_%02x", insn.opcode());
            }
            case LDX -> {
                if (insn.mode() != MEM && insn.mode() != MEMSX) {
                    yield String.format("BUG_ldx_%02x", insn.opcode());
                }
                yield code + " r" + insn.dst() + " = *(" + (insn.mode() == MEM ? type(insn.size())
                        : signedType(insn.size())) + " *)(r" + insn.src() + " " + signed(insn.offset()) + ")";
            }
            case LD -> load(insn, code, names);
            default -> jump(insn, cls, code, names);
        };
    }

    private static String alu(Instruction insn, int cls) {
        char reg = cls == ALU ? 'w' : 'r';
        int op = insn.operation();
        if (op == END) {
            return cls == ALU64 ? "r" + insn.dst() + " = bswap" + insn.imm() + " r" + insn.dst()
                    : "r" + insn.dst() + " = " + (insn.source() == TO_BE ? "be" : "le") + insn.imm() + " r" + insn.dst();
        }
        if (op == NEG) {
            return reg + "" + insn.dst() + " = -" + reg + insn.dst();
        }
        boolean movX64 = insn.opcode() == (ALU64 | MOV | X);
        if (movX64 && insn.offset() == ADDR_SPACE_CAST) {
            return "r" + insn.dst() + " = addr_space_cast(r" + insn.src() + ", " + (insn.imm() >>> 16) + ", "
                    + (insn.imm() & 0xffff) + ")";
        }
        if (movX64 && insn.offset() == -1) { // BPF_ADDR_PERCPU, kernel-internal
            return "r" + insn.dst() + " = &(void __percpu *)(r" + insn.src() + ")";
        }
        String operator = (op == DIV || op == MOD) && insn.offset() == 1 ? (op == DIV ? "s/=" : "s%=")
                : ALU_NAMES[op >> 4];
        if (insn.source() == X) {
            boolean movsx = op == MOV && (insn.offset() == 8 || insn.offset() == 16 || insn.offset() == 32);
            String cast = movsx ? "(s" + insn.offset() + ")" : "";
            return reg + "" + insn.dst() + " " + operator + " " + cast + reg + insn.src();
        }
        return reg + "" + insn.dst() + " " + operator + " " + insn.imm();
    }

    private static String store(Instruction insn, String code) {
        String target = "(" + type(insn.size()) + " *)(r" + insn.dst() + " " + signed(insn.offset()) + ")";
        if (insn.mode() == MEM) {
            return code + " *" + target + " = r" + insn.src();
        }
        if (insn.mode() != ATOMIC) {
            return String.format("BUG_%02x", insn.opcode());
        }
        int imm = insn.imm();
        String width = insn.size() == DW ? "64" : "";
        if (imm == ADD || imm == AND || imm == OR || imm == XOR) {
            return code + " lock *" + target + " " + ALU_NAMES[imm >> 4] + " r" + insn.src();
        }
        if (imm == (ADD | FETCH) || imm == (AND | FETCH) || imm == (OR | FETCH) || imm == (XOR | FETCH)) {
            return code + " r" + insn.src() + " = atomic" + width + "_fetch_" + ATOMIC_OP[(imm & 0xf0) >> 4] + "("
                    + target + ", r" + insn.src() + ")";
        }
        if (imm == CMPXCHG) {
            return code + " r0 = atomic" + width + "_cmpxchg(" + target + ", r0, r" + insn.src() + ")";
        }
        if (imm == XCHG) {
            return code + " r" + insn.src() + " = atomic" + width + "_xchg(" + target + ", r" + insn.src() + ")";
        }
        if (imm == LOAD_ACQ) {
            return code + " r" + insn.dst() + " = load_acquire((" + type(insn.size()) + " *)(r" + insn.src() + " "
                    + signed(insn.offset()) + "))";
        }
        if (imm == STORE_REL) {
            return code + " store_release(" + target + ", r" + insn.src() + ")";
        }
        return String.format("BUG_%02x", insn.opcode());
    }

    private static String load(Instruction insn, String code, Names names) {
        if (insn.mode() == ABS) {
            return code + " r0 = *(" + type(insn.size()) + " *)skb[" + insn.imm() + "]";
        }
        if (insn.mode() == IND) {
            return code + " r0 = *(" + type(insn.size()) + " *)skb[r" + insn.src() + " + " + insn.imm() + "]";
        }
        if (insn.isWide()) {
            String named = names.imm64(insn);
            return code + " r" + insn.dst() + " = " + (named != null ? named : "0x" + Long.toHexString(insn.imm64()));
        }
        return String.format("BUG_ld_%02x", insn.opcode());
    }

    private static String jump(Instruction insn, int cls, String code, Names names) {
        int op = insn.operation();
        if (op == CALL) {
            if (insn.src() == PSEUDO_CALL) {
                String named = names.call(insn);
                return code + " call pc" + (named != null ? named : signed(insn.imm()));
            }
            return code + " call " + callee(insn, names) + "#" + insn.imm();
        }
        int opcode = insn.opcode();
        if (opcode == (JMP | JA)) {
            return code + " goto pc" + signed(insn.offset());
        }
        if (opcode == (JMP | JA | X)) {
            return code + " gotox r" + insn.dst();
        }
        if (opcode == (JMP | JCOND) && insn.src() == 0) {
            return code + " may_goto pc" + signed(insn.offset());
        }
        if (opcode == (JMP32 | JA)) {
            return code + " gotol pc" + signed(insn.imm());
        }
        if (opcode == (JMP | EXIT)) {
            return code + " exit";
        }
        char reg = cls == JMP32 ? 'w' : 'r';
        String operator = JUMP_NAMES[op >> 4] == null ? "(null)" : JUMP_NAMES[op >> 4];
        if (insn.source() == X) {
            return code + " if " + reg + insn.dst() + " " + operator + " " + reg + insn.src() + " goto pc"
                    + signed(insn.offset());
        }
        return code + " if " + reg + insn.dst() + " " + operator + " 0x" + Integer.toHexString(insn.imm()) + " goto pc"
                + signed(insn.offset());
    }

    /** The kernel's order: the helper table for plain calls, then the caller's names, then fallbacks. */
    private static String callee(Instruction insn, Names names) {
        if (insn.src() == 0 && insn.imm() >= 0) {
            String helper = names.helper(insn.imm());
            if (helper != null) {
                return helper;
            }
        }
        String named = names.call(insn);
        if (named != null) {
            return named;
        }
        return insn.src() == PSEUDO_KFUNC_CALL ? "kernel-function" : "unknown";
    }
}
