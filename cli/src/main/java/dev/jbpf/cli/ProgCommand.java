package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.program.ProgramInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jbpf prog list}: the kernel's BPF programs. */
@Command(name = "prog", description = "Inspect BPF programs.", mixinStandardHelpOptions = true,
        subcommands = {ProgCommand.ListPrograms.class, ProgRunCommand.class, ProgDumpCommand.class})
final class ProgCommand {
    private ProgCommand() {
    }

    @Command(name = "list", aliases = "show",
            description = "List every BPF program in the kernel, or those a selector names: " + ProgSelector.SYNTAX + ".")
    static final class ListPrograms implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N | pinned PATH | name NAME")
        List<String> selector;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ProgramInfo> programs = selector == null || selector.isEmpty() ? ProgramInfo.listAll()
                    : ProgSelector.parse(selector).find();
            if (options.json()) {
                ArrayNode array = Output.array();
                programs.forEach(info -> array.add(json(info)));
                Output.printJson(out, array, options);
                return Main.EXIT_OK;
            }
            for (ProgramInfo info : programs) {
                out.printf("%d: %s  name %s  tag %s%s%n", info.id(), MapCommand.typeName(info.type()), info.name(), info.tag(),
                        info.gplCompatible() ? "  gpl" : "");
                out.printf("\tloaded_at %s  uid %d%n", info.loadTime(), info.uid());
                out.printf("\txlated %dB  jited %dB%s%n", info.xlatedLength(), info.jitedLength(),
                        info.mapIds().isEmpty() ? ""
                                : "  map_ids " + info.mapIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
                if (info.btfId() != 0) {
                    out.printf("\tbtf_id %d%n", info.btfId());
                }
            }
            out.flush();
            return Main.EXIT_OK;
        }

        static ObjectNode json(ProgramInfo info) {
            ObjectNode node = Output.object();
            node.put("id", info.id());
            node.put("type", MapCommand.typeName(info.type()));
            node.put("name", info.name());
            node.put("tag", info.tag());
            node.put("gpl_compatible", info.gplCompatible());
            node.put("loaded_at", info.loadTime().getEpochSecond());
            node.put("uid", info.uid());
            node.put("bytes_xlated", info.xlatedLength());
            node.put("jited", info.jitedLength() > 0);
            node.put("bytes_jited", info.jitedLength());
            ArrayNode maps = node.putArray("map_ids");
            info.mapIds().forEach(maps::add);
            if (info.btfId() != 0) {
                node.put("btf_id", info.btfId());
            }
            return node;
        }
    }
}
