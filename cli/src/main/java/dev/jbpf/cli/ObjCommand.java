package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.asm.ObjectListing;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbpf obj dump OBJ [PROG]}: a .bpf.o's code before loading, relocations named. */
@Command(name = "obj", description = "Inspect compiled BPF objects (.bpf.o) without loading them.",
        mixinStandardHelpOptions = true, subcommands = ObjCommand.Dump.class)
final class ObjCommand {
    private ObjCommand() {
    }

    @Command(name = "dump", description = "Disassemble the programs of OBJ (or the function or section PROG), "
            + "naming maps, globals, externs, helpers, kfuncs and called functions.")
    static final class Dump implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "OBJ", description = "A compiled BPF object (.bpf.o).")
        Path object;
        @Parameters(index = "1", arity = "0..1", paramLabel = "PROG", description = "A function or section name.")
        String program;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ObjectListing> listings = ObjectListing.of(object, program);
            if (options.json()) {
                ArrayNode array = Output.array();
                for (ObjectListing listing : listings) {
                    ObjectNode node = array.addObject();
                    node.put("section", listing.section());
                    node.put("function", listing.function());
                    node.put("first_insn", listing.firstSlot());
                    if (listing.prototype() != null) {
                        node.put("proto", listing.prototype());
                    }
                    ArrayNode insns = node.putArray("insns");
                    for (int i = 0; i < listing.instructions().size(); i++) {
                        ObjectNode insn = insns.addObject();
                        insn.put("pc", listing.instructions().get(i).index());
                        if (!listing.sources().get(i).isEmpty()) {
                            insn.put("src", listing.sources().get(i));
                        }
                        if (!listing.coreRelocations().get(i).isEmpty()) {
                            ArrayNode core = insn.putArray("core_relocations");
                            listing.coreRelocations().get(i).forEach(core::add);
                        }
                        insn.put("disasm", listing.texts().get(i));
                    }
                }
                Output.printJson(out, array, options);
                return Main.EXIT_OK;
            }
            boolean first = true;
            for (ObjectListing listing : listings) {
                if (!first) {
                    out.println();
                }
                first = false;
                listing.lines().forEach(out::println);
            }
            out.flush();
            return Main.EXIT_OK;
        }
    }
}
