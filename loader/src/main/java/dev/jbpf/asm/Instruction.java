package dev.jbpf.asm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One eBPF instruction ({@code struct bpf_insn}), decoded: a plain value, no native memory.
 * The 16-byte {@code ld_imm64} ({@code BPF_LD | BPF_IMM | BPF_DW}) is one instruction here
 * holding both immediates; it fills two slots, so the next instruction's {@link #index} is two
 * further on.
 *
 * @param index the slot this instruction starts at (what jumps and bpftool count in)
 * @param opcode the 8-bit opcode: class (low 3 bits), then size and mode, or source and operation
 * @param dst the destination register, 0-10
 * @param src the source register, 0-10, or a pseudo marker (map fd, pseudo call, kfunc call...)
 * @param offset the signed 16-bit offset (memory, jumps; the variant of sdiv/smod and movsx)
 * @param imm the signed 32-bit immediate
 * @param imm2 the second slot's immediate of an {@code ld_imm64}, else 0
 */
public record Instruction(int index, int opcode, int dst, int src, short offset, int imm, int imm2) {
    /** Bytes of one instruction slot. */
    public static final int SLOT_SIZE = 8;

    public Instruction {
        if (opcode < 0 || opcode > 0xff || dst < 0 || dst > 15 || src < 0 || src > 15) {
            throw new IllegalArgumentException("not an eBPF instruction: opcode " + opcode + " dst " + dst + " src " + src);
        }
    }

    /** A one-slot instruction at slot 0, for assembling by hand (tests, examples). */
    public static Instruction of(int opcode, int dst, int src, int offset, int imm) {
        return new Instruction(0, opcode, dst, src, (short) offset, imm, 0);
    }

    /** An {@code ld_imm64} of {@code dst} with a pseudo source (0 for a plain constant) at slot 0. */
    public static Instruction loadImm64(int dst, int src, long value) {
        return new Instruction(0, Opcodes.LD | Opcodes.IMM | Opcodes.DW, dst, src, (short) 0, (int) value,
                (int) (value >>> 32));
    }

    /**
     * Decodes instructions from {@code bytes} (a multiple of 8 bytes, in the given byte order:
     * the kernel's and a {@code .bpf.o}'s are the host's, little-endian on x86).
     * A trailing half of an {@code ld_imm64} is an {@link IllegalArgumentException}.
     */
    public static List<Instruction> decode(byte[] bytes, ByteOrder order) {
        if (bytes.length % SLOT_SIZE != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes is not a whole number of 8-byte instructions");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(order);
        int slots = bytes.length / SLOT_SIZE;
        List<Instruction> result = new ArrayList<>(slots);
        for (int slot = 0; slot < slots; slot++) {
            int base = slot * SLOT_SIZE;
            int opcode = buffer.get(base) & 0xff;
            int registers = buffer.get(base + 1) & 0xff;
            // bpf_insn's dst_reg:4 / src_reg:4 bitfields: low nibble first on little-endian
            int dst = order == ByteOrder.LITTLE_ENDIAN ? registers & 0xf : registers >>> 4;
            int src = order == ByteOrder.LITTLE_ENDIAN ? registers >>> 4 : registers & 0xf;
            short offset = buffer.getShort(base + 2);
            int imm = buffer.getInt(base + 4);
            int imm2 = 0;
            if (opcode == (Opcodes.LD | Opcodes.IMM | Opcodes.DW)) {
                if (slot + 1 >= slots) {
                    throw new IllegalArgumentException("instruction " + slot + " is an ld_imm64 missing its second half");
                }
                imm2 = buffer.getInt(base + SLOT_SIZE + 4);
            }
            result.add(new Instruction(slot, opcode, dst, src, offset, imm, imm2));
            if (opcode == (Opcodes.LD | Opcodes.IMM | Opcodes.DW)) {
                slot++;
            }
        }
        return List.copyOf(result);
    }

    /** The class: {@link Opcodes#LD} ... {@link Opcodes#ALU64}. */
    public int instructionClass() {
        return opcode & 0x07;
    }

    /** ALU and jump operation ({@code BPF_OP}): {@link Opcodes#ADD}, {@link Opcodes#JEQ}, ... */
    public int operation() {
        return opcode & 0xf0;
    }

    /** {@link Opcodes#K} (immediate operand) or {@link Opcodes#X} (register operand). */
    public int source() {
        return opcode & 0x08;
    }

    /** Load and store access size ({@code BPF_SIZE}): {@link Opcodes#W}, H, B, DW. */
    public int size() {
        return opcode & 0x18;
    }

    /** Load and store mode ({@code BPF_MODE}): {@link Opcodes#IMM}, MEM, MEMSX, ATOMIC, ... */
    public int mode() {
        return opcode & 0xe0;
    }

    /** Whether this is the two-slot {@code ld_imm64}. */
    public boolean isWide() {
        return opcode == (Opcodes.LD | Opcodes.IMM | Opcodes.DW);
    }

    /** Slots it fills: 2 for {@code ld_imm64}, else 1. */
    public int slots() {
        return isWide() ? 2 : 1;
    }

    /** The 64-bit immediate of an {@code ld_imm64} (both halves). */
    public long imm64() {
        return ((long) imm2 << 32) | (imm & 0xffffffffL);
    }

    /** The same instruction at another slot. */
    public Instruction at(int slot) {
        return new Instruction(slot, opcode, dst, src, offset, imm, imm2);
    }
}
