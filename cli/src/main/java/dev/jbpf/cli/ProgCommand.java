package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.program.BpfStats;
import dev.jbpf.program.KernelProgram;
import dev.jbpf.program.ProgramInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbpf prog list | show | pin | run | dump}: the kernel's BPF programs. */
@Command(name = "prog", description = "Inspect BPF programs.", mixinStandardHelpOptions = true,
        subcommands = {ProgCommand.ListPrograms.class, ProgCommand.Pin.class, ProgRunCommand.class,
                ProgDumpCommand.class})
final class ProgCommand {
    /** The system's time zone is UTC (TZ unset, /etc/localtime UTC or absent): known without the zone rules. */
    private static final boolean SYSTEM_ZONE_IS_UTC = systemZoneIsUtc();

    private ProgCommand() {
    }

    @Command(name = "list", aliases = "show",
            description = "List every BPF program in the kernel, or those a selector names: " + ObjectSelector.PROGRAM_SYNTAX
                    + "; --stats adds run counts and run time. With -j a selector that names one program prints"
                    + " one object, as bpftool does.")
    static final class ListPrograms implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = ObjectSelector.PROGRAM_SYNTAX)
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
            boolean all = selector == null || selector.isEmpty();
            ObjectSelector select = all ? null : ObjectSelector.program(selector);
            if (all && !stats) {
                printAll(out);
                return Main.EXIT_OK;
            }
            List<ProgramInfo> programs = all ? ProgramInfo.listAll() : select.programs();
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
                if (!all && programs.size() == 1) { // bpftool: one object for one program, an array for more
                    ProgramInfo info = programs.get(0);
                    Output.printJson(out, json(info, stats, start == null ? null : start.get(info.id()), duration), options);
                    return Main.EXIT_OK;
                }
                try (Output.JsonArrayWriter array = new Output.JsonArrayWriter(out, options)) {
                    programs.forEach(info -> array.add(json(info, stats, start == null ? null : start.get(info.id()), duration)));
                }
                return Main.EXIT_OK;
            }
            for (ProgramInfo info : programs) {
                printText(out, info, stats, start == null ? null : start.get(info.id()), duration);
            }
            out.flush();
            return Main.EXIT_OK;
        }

        /** Every program, printed as it is read (text or a streamed JSON array). */
        private void printAll(PrintWriter out) {
            if (options.json()) {
                try (Output.JsonArrayWriter array = new Output.JsonArrayWriter(out, options)) {
                    ProgramInfo.forEach(info -> array.add(json(info, false, null, 0)));
                }
                return;
            }
            ProgramInfo.forEach(info -> printText(out, info, false, null, 0));
            out.flush();
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
    }

    /** bpftool's text: a header line, load time and owner, sizes and maps, BTF. */
    static void printText(PrintWriter out, ProgramInfo info, boolean stats, ProgramInfo earlier, double duration) {
        out.printf("%d: %s  name %s  tag %s%s%s%s%n", info.id(), MapCommand.typeName(info.type()), info.name(),
                info.tag(), info.gplCompatible() ? "  gpl" : "", stats || info.runTimeNs() != 0 ? statsText(info) : "",
                info.recursionMisses() != 0 ? "  recursion_misses " + info.recursionMisses() : "");
        if (earlier != null) {
            long runs = info.runCount() - earlier.runCount();
            long time = info.runTimeNs() - earlier.runTimeNs();
            out.printf("\tin %ss: run_cnt %d  run_time_ns %d%s%n", duration, runs, time,
                    runs > 0 ? "  avg " + (time / runs) + " ns/run" : "");
        }
        if (!info.orphaned()) { // the kernel gives an orphaned program's fields as zeros: no load time
            out.printf("\tloaded_at %s  uid %d%n", loadedAt(info.loadTime()), info.uid());
        }
        out.printf("\txlated %dB  %s  memlock %dB%s%s%n", info.xlatedLength(),
                info.jitedLength() > 0 ? "jited " + info.jitedLength() + "B" : "not jited", info.bytesMemlock(),
                info.orphaned() ? "  orphaned" : "", info.mapIds().isEmpty() ? ""
                        : "  map_ids " + info.mapIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (info.btfId() != 0) {
            out.printf("\tbtf_id %d%n", info.btfId());
        }
    }

    /**
     * bpftool's loaded_at: local time as "2026-12-04T05:18:37+0000". On a UTC system it is
     * written by hand: the time zone rules cost ~20 ms to load, a tenth of a short command's run.
     */
    static String loadedAt(java.time.Instant time) {
        if (SYSTEM_ZONE_IS_UTC) {
            java.time.LocalDateTime utc = java.time.LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, java.time.ZoneOffset.UTC);
            return String.format("%04d-%02d-%02dT%02d:%02d:%02d+0000", utc.getYear(), utc.getMonthValue(), utc.getDayOfMonth(),
                    utc.getHour(), utc.getMinute(), utc.getSecond());
        }
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx").withZone(ZoneId.systemDefault()).format(time);
    }

    private static boolean systemZoneIsUtc() {
        String tz = System.getenv("TZ");
        if (tz != null) {
            return tz.equals("UTC") || tz.equals(":UTC") || tz.equals("Etc/UTC") || tz.equals(":Etc/UTC");
        }
        Path localtime = Path.of("/etc/localtime");
        try {
            if (!java.nio.file.Files.exists(localtime, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return true; // glibc's default without /etc/localtime
            }
            String target = java.nio.file.Files.readSymbolicLink(localtime).toString();
            return target.endsWith("/UTC") || target.endsWith("/Etc/UTC") || target.endsWith("/UCT");
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false; // a copied zone file: let the zone rules read it
        }
    }

    /** bpftool's "  run_time_ns N run_cnt N", and the mean. */
    private static String statsText(ProgramInfo info) {
        return "  run_time_ns " + info.runTimeNs() + " run_cnt " + info.runCount()
                + (info.runCount() > 0 ? "  avg " + info.runTimeNs() / info.runCount() + " ns/run" : "");
    }

    /**
     * One program as {@code bpftool prog show -j} prints it (same fields, order and types); with
     * --stats also the mean, and with --duration the runs counted meanwhile ({@code during}).
     */
    static ObjectNode json(ProgramInfo info, boolean stats, ProgramInfo earlier, double duration) {
        ObjectNode node = Output.object();
        node.put("id", info.id());
        node.put("type", MapCommand.typeName(info.type()));
        if (!info.name().isEmpty()) {
            node.put("name", info.name());
        }
        node.put("tag", info.tag());
        node.put("gpl_compatible", info.gplCompatible());
        if (stats || info.runTimeNs() != 0) {
            node.put("run_time_ns", info.runTimeNs());
            node.put("run_cnt", info.runCount());
        }
        if (stats) {
            node.put("avg_ns_per_run", info.runCount() > 0 ? info.runTimeNs() / info.runCount() : 0);
        }
        if (info.recursionMisses() != 0) {
            node.put("recursion_misses", info.recursionMisses());
        }
        if (!info.orphaned()) { // an orphaned program has no load time (bpftool prints none)
            node.put("loaded_at", info.loadTime().getEpochSecond());
            node.put("uid", info.uid());
        }
        node.put("orphaned", info.orphaned());
        node.put("bytes_xlated", info.xlatedLength());
        node.put("jited", info.jitedLength() > 0);
        if (info.jitedLength() > 0) {
            node.put("bytes_jited", info.jitedLength());
        }
        node.put("bytes_memlock", info.bytesMemlock());
        if (!info.mapIds().isEmpty()) {
            ArrayNode maps = node.putArray("map_ids");
            info.mapIds().forEach(maps::add);
        }
        if (info.btfId() != 0) {
            node.put("btf_id", info.btfId());
        }
        if (earlier != null) {
            ObjectNode window = node.putObject("during");
            long runs = info.runCount() - earlier.runCount();
            long time = info.runTimeNs() - earlier.runTimeNs();
            window.put("seconds", duration);
            window.put("run_cnt", runs);
            window.put("run_time_ns", time);
            window.put("avg_ns_per_run", runs > 0 ? time / runs : 0);
        }
        return node;
    }

    @Command(name = "pin", description = "Pin a program in bpffs: SELECTOR PATH (" + ObjectSelector.PROGRAM_SYNTAX
            + "); the pin keeps it loaded. An existing pin is replaced only with --force.")
    static final class Pin implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        PinOptions pinOptions;
        @Parameters(arity = "3", paramLabel = "WORDS", description = ObjectSelector.PROGRAM_SYNTAX + ", then the new PATH")
        List<String> words;

        @Override
        public Integer call() {
            ObjectSelector select = ObjectSelector.program(words.subList(0, 2));
            pinOptions.fileMode(); // a bad --pin-mode is a usage error before anything is looked up
            int id = select.program().id();
            pinOptions.pinAt(Path.of(words.get(2)), path -> {
                try (KernelProgram program = KernelProgram.openById(id)) {
                    program.pin(path);
                }
            });
            return options.doneSilently();
        }
    }
}
