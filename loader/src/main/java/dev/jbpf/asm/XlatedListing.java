package dev.jbpf.asm;

import dev.jbpf.kallsyms.KernelSymbols;
import dev.jbpf.btf.Btf;
import dev.jbpf.program.ProgramImage;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded program's translated instructions as {@code bpftool prog dump xlated} prints them:
 * each function's BTF signature, the source line (from BTF line info) above the first
 * instruction generated for it, maps by id, helpers and kfuncs by their kernel symbol, calls to
 * subprograms by their JIT symbol. A plain value.
 *
 * @param entries one per instruction, in order
 */
public record XlatedListing(List<Entry> entries) {
    /**
     * One instruction and what bpftool prints above it.
     *
     * @param prototype the signature of the function starting here, or null
     * @param source the source line first compiled here, or null
     * @param instruction the instruction
     * @param text the instruction in bpftool's notation, without its slot number
     */
    public record Entry(String prototype, String source, Instruction instruction, String text) {
    }

    public XlatedListing {
        entries = List.copyOf(entries);
    }

    /** Builds the listing of a program's image; reads its BTF from the kernel when it has one. */
    public static XlatedListing of(ProgramImage image, HelperNames helpers, KernelSymbols symbols) {
        List<Instruction> instructions = Instruction.decode(image.xlated(), ByteOrder.nativeOrder());
        Disassembler.Names names = new KernelNames(helpers, symbols, image.jitedSymbols());
        int btfId = image.info().btfId();
        try (Btf btf = btfId != 0 ? Btf.fromKernel(btfId) : null) {
            String[] prototypes = new String[image.xlated().length / Instruction.SLOT_SIZE + 1];
            if (btf != null) {
                for (ProgramImage.FunctionStart function : image.functions()) {
                    if (function.instruction() >= 0 && function.instruction() < prototypes.length) {
                        String signature = Prototypes.of(btf, function.typeId());
                        prototypes[function.instruction()] = signature.isEmpty() ? null : signature;
                    }
                }
            }
            String[] sources = sourceLines(image, btf, instructions);
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < instructions.size(); i++) {
                Instruction insn = instructions.get(i);
                entries.add(new Entry(prototypes[insn.index()], sources[i], insn, Disassembler.format(insn, names)));
            }
            return new XlatedListing(entries);
        }
    }

    /**
     * The source line shown above each instruction, chosen as bpftool does: libbpf's
     * {@code bpf_prog_linfo__lfind} with a count of lines already shown.
     */
    private static String[] sourceLines(ProgramImage image, Btf btf, List<Instruction> instructions) {
        String[] sources = new String[instructions.size()];
        SourceLines lines = SourceLines.of(image, btf);
        if (lines == null) {
            return sources;
        }
        try (lines) {
            int shown = 0;
            for (int i = 0; i < instructions.size(); i++) {
                sources[i] = lines.atInstruction(instructions.get(i).index(), shown);
                if (sources[i] != null) {
                    shown++;
                }
            }
        }
        return sources;
    }

    /** The listing as bpftool's plain text, one string per line. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.prototype() != null) {
                lines.add(entry.prototype() + ":");
            }
            if (entry.source() != null) {
                lines.add("; " + entry.source());
            }
            lines.add(String.format("%4d: %s", entry.instruction().index(), entry.text()));
        }
        return lines;
    }

    /** Names in a translated program, as bpftool's xlated dumper gives them. */
    private record KernelNames(HelperNames helpers, KernelSymbols symbols, List<Long> jitedSymbols)
            implements Disassembler.Names {
        @Override
        public String helper(int id) {
            return helpers.name(id);
        }

        @Override
        public String call(Instruction call) {
            long address = symbols.callBase() + call.imm();
            boolean pseudo = call.src() == Opcodes.PSEUDO_CALL;
            if (pseudo && Integer.toUnsignedLong(call.imm()) < jitedSymbols.size()) {
                address = jitedSymbols.get(call.imm()); // the verifier made imm the subprogram's index
            }
            String symbol = symbols.at(address).orElse(null);
            String hex = "0x" + Long.toHexString(address);
            if (pseudo) {
                String offset = (call.offset() >= 0 ? "+" : "") + call.offset();
                if (jitedSymbols.isEmpty()) {
                    return offset;
                }
                return offset + "#" + (symbol != null ? symbol : hex);
            }
            return symbol != null ? symbol : hex;
        }

        @Override
        public String imm64(Instruction load) {
            return switch (load.src()) {
                case Opcodes.PSEUDO_MAP_FD -> "map[id:" + Integer.toUnsignedString(load.imm()) + "]";
                case Opcodes.PSEUDO_MAP_VALUE -> "map[id:" + Integer.toUnsignedString(load.imm()) + "][0]+"
                        + Integer.toUnsignedString(load.imm2());
                case Opcodes.PSEUDO_FUNC -> "subprog[" + (load.imm() >= 0 ? "+" : "") + load.imm() + "]";
                default -> null;
            };
        }
    }
}
