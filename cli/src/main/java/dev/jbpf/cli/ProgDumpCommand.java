package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.asm.HelperNames;
import dev.jbpf.asm.JitedListing;
import dev.jbpf.kallsyms.KernelSymbols;
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
        return ObjectSelector.program(selector).programs().stream().map(ProgramInfo::id).map(ProgramImage::ofId).toList();
    }

    @Command(name = "xlated", description = "The instructions after the verifier's rewriting, in bpftool's notation: "
            + ObjectSelector.PROGRAM_SYNTAX + ".")
    static final class Xlated implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.PROGRAM_SYNTAX)
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
            + "disassembly: " + ObjectSelector.PROGRAM_SYNTAX + ".")
    static final class Jited implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.PROGRAM_SYNTAX)
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
                    JitedListing listing = JitedListing.of(image, symbols, disassembler);
                    if (options.json()) {
                        all.add(json(image, listing, disassembler != null));
                    } else {
                        print(out, image, listing, disassembler != null, symbols);
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
        private static String branchComment(X86Disassembler.Decoded insn, JitedListing.Function function,
                KernelSymbols symbols) {
            if (insn.target() == 0) {
                return "";
            }
            long inside = insn.target() - function.address();
            if (inside >= 0 && inside < function.bytes().length) {
                return "\t; -> " + Long.toHexString(inside);
            }
            return "\t; " + symbols.at(insn.target()).orElse("0x" + Long.toHexString(insn.target()));
        }

        private static void print(PrintWriter out, ProgramImage image, JitedListing listing, boolean disassembled,
                KernelSymbols symbols) {
            List<JitedListing.Function> functions = listing.functions();
            out.printf("%d: %s  jited %dB in %d function%s%n", image.info().id(), image.info().name(), image.jited().length,
                    functions.size(), functions.size() == 1 ? "" : "s");
            for (JitedListing.Function function : functions) {
                out.printf("%s:  (%dB at 0x%x)%n", function.name(), function.bytes().length, function.address());
                if (!disassembled) {
                    byte[] bytes = function.bytes();
                    for (int at = 0; at < bytes.length; at += 16) {
                        byte[] row = java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 16));
                        out.printf("%4x:\t%s%n", at, Output.hex(row));
                    }
                    continue;
                }
                for (JitedListing.Line line : function.instructions()) {
                    if (line.source() != null) {
                        out.println("; " + line.source());
                    }
                    X86Disassembler.Decoded insn = line.instruction();
                    out.printf("%4x:\t%-30s\t%s%s%n", insn.offset(), Output.hex(insn.bytes()), insn.text(),
                            branchComment(insn, function, symbols));
                }
            }
        }

        private static ObjectNode json(ProgramImage image, JitedListing listing, boolean disassembled) {
            ObjectNode node = Output.object();
            node.put("id", image.info().id());
            node.put("name", image.info().name());
            node.put("bytes_jited", image.jited().length);
            node.put("disassembler", disassembled ? "llvm" : null);
            ArrayNode array = node.putArray("functions");
            for (JitedListing.Function function : listing.functions()) {
                ObjectNode f = array.addObject();
                f.put("name", function.name());
                f.put("address", "0x" + Long.toHexString(function.address()));
                f.put("size", function.bytes().length);
                f.set("opcodes", Output.hexArray(function.bytes()));
                if (disassembled) {
                    ArrayNode insns = f.putArray("insns");
                    for (JitedListing.Line line : function.instructions()) {
                        X86Disassembler.Decoded insn = line.instruction();
                        ObjectNode i = insns.addObject();
                        if (line.source() != null) {
                            i.put("src", line.source());
                        }
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
}
