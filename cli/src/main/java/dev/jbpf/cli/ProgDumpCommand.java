package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.asm.HelperNames;
import dev.jbpf.asm.KernelSymbols;
import dev.jbpf.asm.X86Disassembler;
import dev.jbpf.asm.XlatedListing;
import dev.jbpf.program.ProgramImage;
import dev.jbpf.program.ProgramInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf prog dump xlated|jited SELECTOR}: a loaded program's instructions as the verifier
 * left them, or its JIT-compiled machine code, as {@code bpftool prog dump} shows them.
 */
@Command(name = "dump", description = "Dump a loaded program's translated instructions or native code.",
        subcommands = {ProgDumpCommand.Xlated.class, ProgDumpCommand.Jited.class})
final class ProgDumpCommand {
    private ProgDumpCommand() {
    }

    private static List<ProgramImage> images(List<String> selector) {
        return ProgSelector.parse(selector).find().stream().map(ProgramInfo::id).map(ProgramImage::ofId).toList();
    }

    @Command(name = "xlated", description = "The instructions after the verifier's rewriting, in bpftool's notation: "
            + ProgSelector.SYNTAX + ".")
    static final class Xlated implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = "id N | pinned PATH | name NAME")
        List<String> selector;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ProgramImage> images = images(selector);
            KernelSymbols symbols = KernelSymbols.load();
            ArrayNode all = Output.array();
            boolean first = true;
            for (ProgramImage image : images) {
                if (image.xlated().length == 0) {
                    throw new IllegalStateException("the kernel shows no instructions of program " + image.info().id()
                            + " (kernel.kptr_restrict or missing CAP_SYS_ADMIN?)");
                }
                XlatedListing listing = XlatedListing.of(image, HelperNames.kernel(), symbols);
                if (options.json()) {
                    all.add(json(listing));
                    continue;
                }
                if (!first) {
                    out.println();
                }
                first = false;
                listing.lines().forEach(out::println);
            }
            if (options.json()) {
                Output.printJson(out, images.size() == 1 ? all.get(0) : all, options);
            }
            out.flush();
            return Main.EXIT_OK;
        }

        /** bpftool's JSON: an array of {proto?, src?, disasm}. */
        private static ArrayNode json(XlatedListing listing) {
            ArrayNode array = Output.array();
            for (XlatedListing.Entry entry : listing.entries()) {
                ObjectNode node = array.addObject();
                if (entry.prototype() != null) {
                    node.put("proto", entry.prototype());
                }
                if (entry.source() != null) {
                    node.put("src", entry.source());
                }
                node.put("disasm", entry.text());
            }
            return array;
        }
    }

    @Command(name = "jited", description = "The JIT-compiled native code: size, bytes and (x86-64, with libLLVM) "
            + "disassembly: " + ProgSelector.SYNTAX + ".")
    static final class Jited implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = "id N | pinned PATH | name NAME")
        List<String> selector;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ProgramImage> images = images(selector);
            KernelSymbols symbols = KernelSymbols.load();
            ArrayNode all = Output.array();
            try (X86Disassembler disassembler = X86Disassembler.open().orElse(null)) {
                if (disassembler == null && !options.json()) {
                    out.println("note: " + X86Disassembler.unavailableReason() + "; showing the bytes only");
                }
                for (ProgramImage image : images) {
                    if (image.jited().length == 0) {
                        throw new IllegalStateException("program " + image.info().id() + " has no JIT-compiled code"
                                + " visible (not JIT-compiled, or kernel.kptr_restrict / missing CAP_SYS_ADMIN)");
                    }
                    List<JitFunction> functions = JitFunction.split(image, symbols);
                    if (options.json()) {
                        all.add(json(image, functions, disassembler));
                    } else {
                        print(out, image, functions, disassembler, symbols);
                    }
                }
            }
            if (options.json()) {
                Output.printJson(out, images.size() == 1 ? all.get(0) : all, options);
            }
            out.flush();
            return Main.EXIT_OK;
        }

        /** Where a relative branch goes: an offset in this function, else a kernel symbol. */
        private static String branchComment(X86Disassembler.Decoded insn, JitFunction function, KernelSymbols symbols) {
            if (insn.target() == 0) {
                return "";
            }
            long inside = insn.target() - function.address();
            if (inside >= 0 && inside < function.bytes().length) {
                return "\t; -> " + Long.toHexString(inside);
            }
            return "\t; " + symbols.at(insn.target()).orElse("0x" + Long.toHexString(insn.target()));
        }

        private static void print(PrintWriter out, ProgramImage image, List<JitFunction> functions,
                X86Disassembler disassembler, KernelSymbols symbols) {
            out.printf("%d: %s  jited %dB in %d function%s%n", image.info().id(), image.info().name(), image.jited().length,
                    functions.size(), functions.size() == 1 ? "" : "s");
            for (JitFunction function : functions) {
                out.printf("%s:  (%dB at 0x%x)%n", function.name(), function.bytes().length, function.address());
                if (disassembler == null) {
                    byte[] bytes = function.bytes();
                    for (int at = 0; at < bytes.length; at += 16) {
                        byte[] row = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 16));
                        out.printf("%4x:\t%s%n", at, Output.hex(row));
                    }
                    continue;
                }
                for (X86Disassembler.Decoded insn : disassembler.disassemble(function.bytes(), function.address())) {
                    out.printf("%4x:\t%-30s\t%s%s%n", insn.offset(), Output.hex(insn.bytes()), insn.text(),
                            branchComment(insn, function, symbols));
                }
            }
        }

        private static ObjectNode json(ProgramImage image, List<JitFunction> functions, X86Disassembler disassembler) {
            ObjectNode node = Output.object();
            node.put("id", image.info().id());
            node.put("name", image.info().name());
            node.put("bytes_jited", image.jited().length);
            node.put("disassembler", disassembler != null ? "llvm" : null);
            ArrayNode array = node.putArray("functions");
            for (JitFunction function : functions) {
                ObjectNode f = array.addObject();
                f.put("name", function.name());
                f.put("address", "0x" + Long.toHexString(function.address()));
                f.put("size", function.bytes().length);
                f.set("opcodes", Output.hexArray(function.bytes()));
                if (disassembler != null) {
                    ArrayNode insns = f.putArray("insns");
                    for (X86Disassembler.Decoded insn : disassembler.disassemble(function.bytes(), function.address())) {
                        ObjectNode i = insns.addObject();
                        i.put("pc", "0x" + Integer.toHexString(insn.offset()));
                        i.put("operation", insn.text());
                        if (insn.target() != 0) {
                            i.put("target", "0x" + Long.toHexString(insn.target()));
                        }
                        i.set("opcodes", Output.hexArray(insn.bytes()));
                    }
                }
            }
            return node;
        }
    }

    /** One JIT-compiled function of a program: its kernel symbol, address and bytes. */
    record JitFunction(String name, long address, byte[] bytes) {
        /** The program's native code cut at jited_func_lens, named from jited_ksyms and kallsyms. */
        static List<JitFunction> split(ProgramImage image, KernelSymbols symbols) {
            List<Integer> lengths = image.jitedFunctionLengths();
            if (lengths.isEmpty()) {
                long address = image.jitedSymbols().isEmpty() ? 0 : image.jitedSymbols().get(0);
                return List.of(new JitFunction(name(symbols, address, image), address, image.jited()));
            }
            java.util.ArrayList<JitFunction> functions = new java.util.ArrayList<>();
            int start = 0;
            for (int i = 0; i < lengths.size(); i++) {
                int end = Math.min(image.jited().length, start + lengths.get(i));
                long address = i < image.jitedSymbols().size() ? image.jitedSymbols().get(i) : 0;
                functions.add(new JitFunction(name(symbols, address, image), address,
                        java.util.Arrays.copyOfRange(image.jited(), start, end)));
                start = end;
            }
            return functions;
        }

        private static String name(KernelSymbols symbols, long address, ProgramImage image) {
            return symbols.at(address).orElse("bpf_prog_" + image.info().tag() + "_" + image.info().name());
        }
    }
}
