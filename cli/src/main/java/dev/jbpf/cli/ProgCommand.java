package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.program.BpfStats;
import dev.jbpf.program.ProgramImage;
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
            description = "List every BPF program in the kernel, or those a selector names: " + ProgSelector.SYNTAX
                    + "; --stats adds run counts and run time.")
    static final class ListPrograms implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = "id N | pinned PATH | name NAME")
        List<String> selector;
        @picocli.CommandLine.Option(names = "--stats", description = "Enable kernel BPF statistics (BPF_ENABLE_STATS) "
                + "while the command runs and show run_cnt, run_time_ns and ns per run.")
        boolean stats;
        @picocli.CommandLine.Option(names = "--duration", paramLabel = "SECONDS", description = "With --stats: keep "
                + "statistics on this long and also show the runs counted meanwhile (default 0).")
        double duration;

        @Override
        @SuppressWarnings("try") // the BpfStats is only held open, never called
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (duration < 0 || duration > 0 && !stats) {
                throw new UsageException("--duration takes seconds >= 0, and goes with --stats");
            }
            List<ProgramInfo> programs = selector == null || selector.isEmpty() ? ProgramInfo.listAll()
                    : ProgSelector.parse(selector).find();
            java.util.Map<Integer, ProgramInfo> before = null;
            if (stats) {
                try (BpfStats enabled = BpfStats.enable()) { // counting while this is open
                    if (duration > 0) {
                        before = new java.util.HashMap<>();
                        for (ProgramInfo info : programs) {
                            before.put(info.id(), info);
                        }
                        sleep(duration);
                    }
                    programs = refreshed(programs);
                }
            }
            java.util.Map<Integer, ProgramInfo> start = before;
            if (options.json()) {
                ArrayNode array = Output.array();
                programs.forEach(info -> {
                    ObjectNode node = json(info);
                    node.put("bytes_memlock", memlock(info));
                    if (stats) {
                        statsJson(node, info, start == null ? null : start.get(info.id()));
                    }
                    array.add(node);
                });
                Output.printJson(out, array, options);
                return Main.EXIT_OK;
            }
            for (ProgramInfo info : programs) {
                out.printf("%d: %s  name %s  tag %s%s%s%n", info.id(), MapCommand.typeName(info.type()), info.name(),
                        info.tag(), info.gplCompatible() ? "  gpl" : "", stats ? statsText(info) : "");
                if (start != null && start.containsKey(info.id())) {
                    ProgramInfo earlier = start.get(info.id());
                    long runs = info.runCount() - earlier.runCount();
                    long time = info.runTimeNs() - earlier.runTimeNs();
                    out.printf("\tin %ss: run_cnt %d  run_time_ns %d%s%n", duration, runs, time,
                            runs > 0 ? "  avg " + (time / runs) + " ns/run" : "");
                }
                out.printf("\tloaded_at %s  uid %d%n", info.loadTime(), info.uid());
                out.printf("\txlated %dB  jited %dB  memlock %dB%s%n", info.xlatedLength(), info.jitedLength(), memlock(info),
                        info.mapIds().isEmpty() ? ""
                                : "  map_ids " + info.mapIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
                if (info.btfId() != 0) {
                    out.printf("\tbtf_id %d%n", info.btfId());
                }
            }
            out.flush();
            return Main.EXIT_OK;
        }

        /** The same programs read again (now with statistics); those unloaded meanwhile are left out. */
        private static List<ProgramInfo> refreshed(List<ProgramInfo> programs) {
            List<ProgramInfo> now = new java.util.ArrayList<>();
            for (ProgramInfo info : programs) {
                try {
                    now.add(ProgramInfo.ofId(info.id()));
                } catch (dev.jbpf.BpfNotFoundException e) {
                    // unloaded since it was listed
                }
            }
            return now;
        }

        private static void sleep(double seconds) {
            try {
                Thread.sleep(java.time.Duration.ofNanos((long) (seconds * 1e9)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static long memlock(ProgramInfo info) {
            try {
                return ProgramImage.memlockOf(info.id());
            } catch (dev.jbpf.BpfException e) {
                return 0; // unloaded since it was listed
            }
        }

        /** bpftool's "  run_time_ns N run_cnt N", and the mean. */
        private static String statsText(ProgramInfo info) {
            return "  run_time_ns " + info.runTimeNs() + " run_cnt " + info.runCount()
                    + (info.runCount() > 0 ? "  avg " + info.runTimeNs() / info.runCount() + " ns/run" : "");
        }

        private void statsJson(ObjectNode node, ProgramInfo info, ProgramInfo earlier) {
            node.put("run_time_ns", info.runTimeNs());
            node.put("run_cnt", info.runCount());
            node.put("avg_ns_per_run", info.runCount() > 0 ? info.runTimeNs() / info.runCount() : 0);
            if (earlier != null) {
                ObjectNode window = node.putObject("during");
                long runs = info.runCount() - earlier.runCount();
                long time = info.runTimeNs() - earlier.runTimeNs();
                window.put("seconds", duration);
                window.put("run_cnt", runs);
                window.put("run_time_ns", time);
                window.put("avg_ns_per_run", runs > 0 ? time / runs : 0);
            }
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
