package dev.jbpf.features;

import dev.jbpf.asm.Opcodes;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_load_opts;
import dev.jbpf.internal.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The few-instruction programs the facility probes load, assembled here because jbpf has no
 * assembler (dev.jbpf.asm only decodes). Each load goes straight to {@code bpf_prog_load};
 * the caller closes the fd it gets. Scratch memory lives in the caller's arena.
 */
final class ProbePrograms {
    static final int R0 = 0;

    private ProbePrograms() {
    }

    /** One instruction: {@code struct bpf_insn} fields. */
    record Insn(int opcode, int dst, int src, int offset, int imm) {
    }

    static Insn movImm(int dst, int imm) {
        return new Insn(Opcodes.ALU64 | Opcodes.MOV | Opcodes.K, dst, 0, 0, imm);
    }

    static Insn alu64Imm(int op, int dst, int imm) {
        return new Insn(Opcodes.ALU64 | op | Opcodes.K, dst, 0, 0, imm);
    }

    static Insn jmpImm(int op, int dst, int imm, int offset) {
        return new Insn(Opcodes.JMP | op | Opcodes.K, dst, 0, offset, imm);
    }

    static Insn jmp32Imm(int op, int dst, int imm, int offset) {
        return new Insn(Opcodes.JMP32 | op | Opcodes.K, dst, 0, offset, imm);
    }

    static Insn exit() {
        return new Insn(Opcodes.JMP | Opcodes.EXIT, 0, 0, 0, 0);
    }

    /** {@code r0 = 0; exit}: the smallest program every type accepts. */
    static Insn[] returnZero() {
        return new Insn[] {movImm(R0, 0), exit()};
    }

    /** The instructions as the kernel reads them: 8 bytes each, in the host's byte order. */
    static MemorySegment code(Arena arena, Insn... insns) {
        MemorySegment code = arena.allocate(8L * insns.length, 8);
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < insns.length; i++) {
            Insn insn = insns[i];
            long at = 8L * i;
            code.set(ValueLayout.JAVA_BYTE, at, (byte) insn.opcode());
            // dst_reg:4 / src_reg:4 bitfields: the low nibble comes first on little-endian hosts
            int registers = little ? insn.dst() | insn.src() << 4 : insn.dst() << 4 | insn.src();
            code.set(ValueLayout.JAVA_BYTE, at + 1, (byte) registers);
            code.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, (short) insn.offset());
            code.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, insn.imm());
        }
        return code;
    }

    /** Empty {@code bpf_prog_load_opts} with its size set, for the caller to fill. */
    static MemorySegment loadOptions(Arena arena) {
        MemorySegment opts = bpf_prog_load_opts.allocate(arena);
        bpf_prog_load_opts.sz(opts, bpf_prog_load_opts.sizeof());
        return opts;
    }

    /**
     * Loads a GPL program of {@code type}; returns its fd (>= 0: the caller closes it) or the
     * negative errno (libbpf 1.x returns -errno).
     */
    static int load(Arena arena, int type, MemorySegment opts, Insn... insns) {
        return LibBpf.bpf_prog_load(type, MemorySegment.NULL, arena.allocateFrom("GPL"), code(arena, insns),
                insns.length, opts);
    }

    /** A negative errno as the facility details print it: "EINVAL (Invalid argument)". */
    static String errno(int negativeErrno) {
        return Errno.name(negativeErrno) + " (" + Errno.message(negativeErrno) + ")";
    }
}
