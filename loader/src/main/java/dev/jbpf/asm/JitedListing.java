package dev.jbpf.asm;

import dev.jbpf.kallsyms.KernelSymbols;
import dev.jbpf.btf.Btf;
import dev.jbpf.program.ProgramImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A loaded program's JIT-compiled code cut into its functions ({@code jited_func_lens}), each
 * named from {@code jited_ksyms} and kallsyms, disassembled when an {@link X86Disassembler} is
 * given, with the source line (BTF line info mapped to native addresses by the kernel's
 * {@code jited_line_info}) above the first instruction of each line, as bpftool shows it.
 * A plain value.
 *
 * @param functions the main program first, then its subprograms
 */
public record JitedListing(List<Function> functions) {
    /**
     * One JIT-compiled function.
     *
     * @param name its kernel symbol ({@code bpf_prog_TAG_NAME})
     * @param address where it is in kernel memory
     * @param bytes its native code
     * @param instructions its instructions (empty without a disassembler)
     */
    public record Function(String name, long address, byte[] bytes, List<Line> instructions) {
        public Function {
            instructions = List.copyOf(instructions);
        }
    }

    /** One native instruction and the source line starting there (null when none does). */
    public record Line(String source, X86Disassembler.Decoded instruction) {
    }

    public JitedListing {
        functions = List.copyOf(functions);
    }

    /** Builds the listing; {@code disassembler} null gives functions with their bytes only. */
    public static JitedListing of(ProgramImage image, KernelSymbols symbols, X86Disassembler disassembler) {
        List<Integer> lengths = image.jitedFunctionLengths().isEmpty() ? List.of(image.jited().length)
                : image.jitedFunctionLengths();
        int btfId = image.info().btfId();
        try (Btf btf = btfId != 0 && disassembler != null ? Btf.fromKernel(btfId) : null;
             SourceLines lines = disassembler != null ? SourceLines.of(image, btf) : null) {
            List<Function> functions = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < lengths.size(); i++) {
                int end = Math.min(image.jited().length, start + lengths.get(i));
                long address = i < image.jitedSymbols().size() ? image.jitedSymbols().get(i) : 0;
                byte[] bytes = Arrays.copyOfRange(image.jited(), start, end);
                String name = symbols.at(address).orElse("bpf_prog_" + image.info().tag() + "_" + image.info().name());
                List<Line> instructions = new ArrayList<>();
                if (disassembler != null) {
                    int shown = 0;
                    for (X86Disassembler.Decoded insn : disassembler.disassemble(bytes, address)) {
                        String source = lines == null ? null : lines.atAddress(address + insn.offset(), i, shown);
                        if (source != null) {
                            shown++;
                        }
                        instructions.add(new Line(source, insn));
                    }
                }
                functions.add(new Function(name, address, bytes, instructions));
                start = end;
            }
            return new JitedListing(functions);
        }
    }
}
