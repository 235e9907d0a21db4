package dev.jbpf.asm;

import static dev.jbpf.asm.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-assembled instructions against the text the kernel's disasm.c prints for them
 * (the format strings of print_bpf_insn), and decoding from bytes.
 */
@UnitTest
class DisassemblerTest {
    private static final Disassembler.Names HELPERS = new Disassembler.Names() {
        @Override
        public String helper(int id) {
            return Map.of(1, "bpf_map_lookup_elem", 14, "bpf_get_current_pid_tgid").get(id);
        }
    };

    private static String text(int opcode, int dst, int src, int off, int imm) {
        return Disassembler.format(Instruction.of(opcode, dst, src, off, imm), HELPERS);
    }

    @Test
    void aluAndAlu64() {
        assertEquals("(bf) r6 = r1", text(ALU64 | MOV | X, 6, 1, 0, 0));
        assertEquals("(b4) w0 = 2", text(ALU | MOV | K, 0, 0, 0, 2));
        assertEquals("(07) r2 += -4", text(ALU64 | ADD | K, 2, 0, 0, -4));
        assertEquals("(1f) r1 -= r9", text(ALU64 | SUB | X, 1, 9, 0, 0));
        assertEquals("(2c) w3 *= w4", text(ALU | MUL | X, 3, 4, 0, 0));
        assertEquals("(37) r1 /= 10", text(ALU64 | DIV | K, 1, 0, 0, 10));
        assertEquals("(97) r1 %= 7", text(ALU64 | MOD | K, 1, 0, 0, 7));
        assertEquals("(44) w1 |= 1", text(ALU | OR | K, 1, 0, 0, 1));
        assertEquals("(57) r7 &= 65535", text(ALU64 | AND | K, 7, 0, 0, 65535));
        assertEquals("(67) r0 <<= 3", text(ALU64 | LSH | K, 0, 0, 0, 3));
        assertEquals("(77) r0 >>= 32", text(ALU64 | RSH | K, 0, 0, 0, 32));
        assertEquals("(c7) r1 s>>= 3", text(ALU64 | ARSH | K, 1, 0, 0, 3));
        assertEquals("(af) r2 ^= r3", text(ALU64 | XOR | X, 2, 3, 0, 0));
        assertEquals("(87) r9 = -r9", text(ALU64 | NEG, 9, 0, 0, 0));
        assertEquals("(84) w9 = -w9", text(ALU | NEG, 9, 0, 0, 0));
    }

    @Test
    void signedDivisionAndSignExtendingMoves() {
        assertEquals("(3f) r9 s/= r8", text(ALU64 | DIV | X, 9, 8, 1, 0));
        assertEquals("(9f) r9 s%= r8", text(ALU64 | MOD | X, 9, 8, 1, 0));
        assertEquals("(37) r1 s/= -3", text(ALU64 | DIV | K, 1, 0, 1, -3));
        assertEquals("(94) w1 s%= 5", text(ALU | MOD | K, 1, 0, 1, 5));
        assertEquals("(bf) r8 = (s32)r1", text(ALU64 | MOV | X, 8, 1, 32, 0));
        assertEquals("(bf) r2 = (s8)r3", text(ALU64 | MOV | X, 2, 3, 8, 0));
        assertEquals("(bc) w2 = (s16)w3", text(ALU | MOV | X, 2, 3, 16, 0));
        assertEquals("(bf) r1 = addr_space_cast(r2, 0, 1)", text(ALU64 | MOV | X, 1, 2, 1, 1));
    }

    @Test
    void byteSwaps() {
        assertEquals("(dc) r1 = be16 r1", text(ALU | END | TO_BE, 1, 0, 0, 16));
        assertEquals("(d4) r1 = le64 r1", text(ALU | END | TO_LE, 1, 0, 0, 64));
        assertEquals("(d7) r1 = bswap32 r1", text(ALU64 | END, 1, 0, 0, 32));
    }

    @Test
    void loadsAndStores() {
        assertEquals("(61) r1 = *(u32 *)(r10 -4)", text(LDX | MEM | W, 1, 10, -4, 0));
        assertEquals("(79) r2 = *(u64 *)(r1 +8)", text(LDX | MEM | DW, 2, 1, 8, 0));
        assertEquals("(71) r2 = *(u8 *)(r1 +0)", text(LDX | MEM | B, 2, 1, 0, 0));
        assertEquals("(91) r1 = *(s8 *)(r3 +0)", text(LDX | MEMSX | B, 1, 3, 0, 0));
        assertEquals("(89) r6 = *(s16 *)(r3 +2)", text(LDX | MEMSX | H, 6, 3, 2, 0));
        assertEquals("(81) r2 = *(s32 *)(r3 +4)", text(LDX | MEMSX | W, 2, 3, 4, 0));
        assertEquals("(63) *(u32 *)(r10 -4) = r0", text(STX | MEM | W, 10, 0, -4, 0));
        assertEquals("(62) *(u32 *)(r10 -4) = 0", text(ST | MEM | W, 10, 0, -4, 0));
        assertEquals("(7a) *(u64 *)(r1 +16) = -1", text(ST | MEM | DW, 1, 0, 16, -1));
        assertEquals("(c2) nospec", text(ST | NOSPEC | W, 0, 0, 0, 0));
        assertEquals("(30) r0 = *(u8 *)skb[12]", text(LD | ABS | B, 0, 0, 0, 12));
        assertEquals("(48) r0 = *(u16 *)skb[r2 + 4]", text(LD | IND | H, 0, 2, 0, 4));
    }

    @Test
    void atomics() {
        assertEquals("(db) lock *(u64 *)(r0 +0) += r7", text(STX | ATOMIC | DW, 0, 7, 0, ADD));
        assertEquals("(c3) lock *(u32 *)(r1 +4) |= r2", text(STX | ATOMIC | W, 1, 2, 4, OR));
        assertEquals("(db) lock *(u64 *)(r1 +0) &= r2", text(STX | ATOMIC | DW, 1, 2, 0, AND));
        assertEquals("(db) lock *(u64 *)(r1 +0) ^= r2", text(STX | ATOMIC | DW, 1, 2, 0, XOR));
        assertEquals("(db) r5 = atomic64_fetch_add((u64 *)(r3 +0), r5)", text(STX | ATOMIC | DW, 3, 5, 0, ADD | FETCH));
        assertEquals("(c3) r5 = atomic_fetch_or((u32 *)(r3 +8), r5)", text(STX | ATOMIC | W, 3, 5, 8, OR | FETCH));
        assertEquals("(db) r0 = atomic64_fetch_and((u64 *)(r3 +0), r0)", text(STX | ATOMIC | DW, 3, 0, 0, AND | FETCH));
        assertEquals("(db) r7 = atomic64_fetch_xor((u64 *)(r3 +0), r7)", text(STX | ATOMIC | DW, 3, 7, 0, XOR | FETCH));
        assertEquals("(db) r7 = atomic64_xchg((u64 *)(r3 +0), r7)", text(STX | ATOMIC | DW, 3, 7, 0, XCHG));
        assertEquals("(c3) r0 = atomic_cmpxchg((u32 *)(r3 -8), r0, r4)", text(STX | ATOMIC | W, 3, 4, -8, CMPXCHG));
        assertEquals("(db) r1 = load_acquire((u64 *)(r2 +0))", text(STX | ATOMIC | DW, 1, 2, 0, LOAD_ACQ));
        assertEquals("(c3) store_release((u32 *)(r1 +4), r2)", text(STX | ATOMIC | W, 1, 2, 4, STORE_REL));
        assertEquals("BUG_db", text(STX | ATOMIC | DW, 1, 2, 0, 0x77));
    }

    @Test
    void jumpsCallsAndExit() {
        assertEquals("(15) if r0 == 0x0 goto pc+1", text(JMP | JEQ | K, 0, 0, 1, 0));
        assertEquals("(2d) if r1 > r2 goto pc+158", text(JMP | JGT | X, 1, 2, 158, 0));
        assertEquals("(35) if r0 >= 0x8 goto pc+3", text(JMP | JGE | K, 0, 0, 3, 8));
        assertEquals("(c6) if w1 s< 0x0 goto pc+1", text(JMP32 | JSLT | K, 1, 0, 1, 0));
        assertEquals("(56) if w1 != 0xffffffff goto pc-3", text(JMP32 | JNE | K, 1, 0, -3, -1));
        assertEquals("(4d) if r1 & r2 goto pc+2", text(JMP | JSET | X, 1, 2, 2, 0));
        assertEquals("(05) goto pc+8", text(JMP | JA, 0, 0, 8, 0));
        assertEquals("(06) gotol pc+70000", text(JMP32 | JA, 0, 0, 0, 70000));
        assertEquals("(e5) may_goto pc+4", text(JMP | JCOND, 0, 0, 4, 0));
        assertEquals("(95) exit", text(JMP | EXIT, 0, 0, 0, 0));
        assertEquals("(85) call bpf_map_lookup_elem#1", text(JMP | CALL, 0, 0, 0, 1));
        assertEquals("(85) call unknown#999", text(JMP | CALL, 0, 0, 0, 999));
        assertEquals("(85) call pc+22", text(JMP | CALL, 0, PSEUDO_CALL, 0, 22));
        assertEquals("(85) call kernel-function#-1", text(JMP | CALL, 0, PSEUDO_KFUNC_CALL, 0, -1));
    }

    @Test
    void loadImm64() {
        assertEquals("(18) r1 = 0x123456789abcdef0",
                Disassembler.format(Instruction.loadImm64(1, 0, 0x123456789abcdef0L), HELPERS));
        Disassembler.Names maps = new Disassembler.Names() {
            @Override
            public String imm64(Instruction load) {
                return load.src() == PSEUDO_MAP_FD ? "map[id:" + load.imm() + "]" : null;
            }
        };
        assertEquals("(18) r1 = map[id:42]", Disassembler.format(Instruction.loadImm64(1, PSEUDO_MAP_FD, 42), maps));
    }

    @Test
    void decodesBytesWithWideInstructionsFillingTwoSlots() {
        ByteBuffer bytes = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put((byte) (ALU64 | MOV | X)).put((byte) (6 | 1 << 4)).putShort((short) 0).putInt(0); // r6 = r1
        bytes.put((byte) (LD | IMM | DW)).put((byte) (1 | PSEUDO_MAP_VALUE << 4)).putShort((short) 0).putInt(7);
        bytes.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(16);                            // second half
        bytes.put((byte) (LDX | MEMSX | H)).put((byte) (2 | 3 << 4)).putShort((short) -6).putInt(0);
        bytes.put((byte) (JMP | EXIT)).put((byte) 0).putShort((short) 0).putInt(0);
        List<Instruction> insns = Instruction.decode(bytes.array(), ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, insns.size());
        assertEquals(List.of(0, 1, 3, 4), insns.stream().map(Instruction::index).toList());
        Instruction wide = insns.get(1);
        assertEquals(2, wide.slots());
        assertEquals(PSEUDO_MAP_VALUE, wide.src());
        assertEquals((16L << 32) | 7, wide.imm64());
        assertEquals("(89) r2 = *(s16 *)(r3 -6)", Disassembler.format(insns.get(2), Disassembler.NO_NAMES));
        assertThrows(IllegalArgumentException.class, () -> Instruction.decode(new byte[12], ByteOrder.LITTLE_ENDIAN));
        byte[] truncated = new byte[8];
        truncated[0] = (byte) (LD | IMM | DW);
        assertThrows(IllegalArgumentException.class, () -> Instruction.decode(truncated, ByteOrder.LITTLE_ENDIAN));
    }
}
