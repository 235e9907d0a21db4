package dev.jbpf.cli;

import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.UsdtProbe;
import dev.jbpf.elf.UsdtProbes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf usdt list (BINARY | --pid PID) [PROVIDER[:NAME]]}: the USDT probes of a binary, or
 * of every file a process maps executable, as bcc's tplist lists them: one line (or JSON object)
 * per probe with its binary, provider, name, address, semaphore and argument specification,
 * printed as each file is read (libjvm.so alone has 500+). The binary is the name that
 * {@code jbpf attach --at PROG=usdt/BINARY:PROVIDER:NAME} takes: for a process in another mount
 * namespace (a container) it is reached through /proc/PID/root.
 */
@Command(name = "usdt", description = "List the USDT probes (<sys/sdt.h>) of binaries and processes.",
        mixinStandardHelpOptions = true, subcommands = {UsdtCommand.ListProbes.class})
final class UsdtCommand {
    private UsdtCommand() {
    }

    @Command(name = "list", customSynopsis = {
            "jbpf usdt list [-jp] [--debug] BINARY [PROVIDER[:NAME]]",
            "   or: jbpf usdt list [-jp] [--debug] --pid PID [PROVIDER[:NAME]]"},
            description = {"List the USDT probes of BINARY (a path, a program on PATH or a library name, as --at "
                    + "usdt/BINARY:... finds it), or of every file process PID maps executable (read through "
                    + "/proc/PID/root: a process in a container works), one line per probe: binary, PROVIDER:NAME, "
                    + "address, semaphore (0: none), argument specification. PROVIDER or PROVIDER:NAME lists only "
                    + "those; a name that matches nothing is answered with the three closest. With -j, an array of "
                    + "{binary, provider, name, addr, semaphore, args} (and pid with --pid), [] when there are none."})
    static final class ListProbes implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Option(names = "--pid", paramLabel = "PID",
                description = "List the probes of every file this process maps executable, instead of one binary.")
        Integer pid;
        @Parameters(arity = "0..2", paramLabel = "BINARY|PROVIDER[:NAME]",
                description = "BINARY (without --pid), then PROVIDER or PROVIDER:NAME to list only those probes.")
        List<String> words = new ArrayList<>();

        /** Prints probes as they come: text lines, or the elements of one JSON array opened at the first. */
        private final class Printer implements AutoCloseable {
            private final PrintWriter out = spec.commandLine().getOut();
            private Output.JsonArrayWriter array;
            private int printed;

            /** The probes of one binary, named as it is to be attached; text columns aligned within it. */
            void print(Path binary, List<UsdtProbe> probes) {
                if (options.json()) {
                    if (array == null) {
                        array = new Output.JsonArrayWriter(out, options);
                    }
                    for (UsdtProbe probe : probes) {
                        array.add(generator -> {
                            generator.writeStartObject();
                            if (pid != null) {
                                generator.writeNumberField("pid", pid);
                            }
                            generator.writeStringField("binary", binary.toString());
                            generator.writeStringField("provider", probe.provider());
                            generator.writeStringField("name", probe.name());
                            generator.writeNumberField("addr", probe.address());
                            generator.writeNumberField("semaphore", probe.semaphore());
                            generator.writeStringField("args", probe.arguments());
                            generator.writeEndObject();
                        });
                    }
                } else {
                    int nameWidth = probes.stream().mapToInt(probe -> probe.qualifiedName().length()).max().orElse(0);
                    int addressWidth = probes.stream().mapToInt(probe -> Long.toHexString(probe.address()).length())
                            .max().orElse(0);
                    for (UsdtProbe probe : probes) {
                        out.printf("%s  %-" + nameWidth + "s  addr 0x%-" + addressWidth + "x  semaphore 0x%x%s%n", binary,
                                probe.qualifiedName(), probe.address(), probe.semaphore(),
                                probe.arguments().isEmpty() ? "" : "  args " + probe.arguments());
                    }
                    out.flush();
                }
                printed += probes.size();
            }

            /** Ends the JSON array ({@code []} when nothing was printed), or says in text why nothing was. */
            void finish(String none) {
                if (options.json()) {
                    if (array == null) {
                        array = new Output.JsonArrayWriter(out, options);
                    }
                } else if (printed == 0) {
                    out.println(none);
                    out.flush();
                }
            }

            @Override
            public void close() {
                if (array != null) {
                    array.close();
                }
            }
        }

        @Override
        public Integer call() {
            if (pid != null && pid <= 0) {
                throw new UsageException("--pid must be a positive process id");
            }
            int filterAt = pid == null ? 1 : 0;
            if (pid == null && words.isEmpty()) {
                throw new UsageException("give a BINARY or --pid PID");
            }
            if (words.size() > filterAt + 1) {
                throw new UsageException(pid == null ? "too many words: BINARY [PROVIDER[:NAME]]"
                        : "--pid lists the probes of the process's files: give no BINARY, only [PROVIDER[:NAME]]");
            }
            String[] filter = words.size() > filterAt ? filter(words.get(filterAt)) : null;
            if (pid != null && filter != null && filter[0].contains("/")) {
                throw new UsageException("'" + words.get(0) + "' is no PROVIDER[:NAME]: --pid lists the probes of the "
                        + "process's files, so give no BINARY");
            }
            try (Printer printer = new Printer()) {
                if (pid == null) {
                    listBinary(printer, Binaries.resolve(words.get(0)), filter);
                } else {
                    listProcess(printer, filter);
                }
            }
            return Main.EXIT_OK;
        }

        private void listBinary(Printer printer, Path binary, String[] filter) {
            List<UsdtProbe> probes = UsdtProbes.read(binary);
            if (filter != null && !probes.isEmpty()) {
                // a typo is an error offering the closest names, before anything is printed
                probes = UsdtProbes.select(probes, filter[0], filter[1], "in " + binary);
            }
            printer.print(binary, probes);
            printer.finish(binary + " has no USDT probes (no .note.stapsdt section)");
        }

        private void listProcess(Printer printer, String[] filter) {
            List<UsdtProbe> all = new ArrayList<>();
            int[] matched = {0};
            UsdtProbes.forEachInProcess(pid, in -> {
                all.addAll(in.probes());
                List<UsdtProbe> probes = filter == null ? in.probes()
                        : in.probes().stream().filter(probe -> probe.matches(filter[0], filter[1])).toList();
                matched[0] += probes.size();
                if (!probes.isEmpty()) {
                    printer.print(in.file().localPath(), probes);
                }
            });
            if (filter != null && matched[0] == 0 && !all.isEmpty()) {
                UsdtProbes.select(all, filter[0], filter[1], "in process " + pid); // throws, offering the closest names
            }
            printer.finish("process " + pid + " has no USDT probes: no file it maps executable has a .note.stapsdt section");
        }

        /** "PROVIDER" → {PROVIDER, null}; "PROVIDER:NAME" → {PROVIDER, NAME}. */
        private static String[] filter(String word) {
            int colon = word.indexOf(':');
            String provider = colon < 0 ? word : word.substring(0, colon);
            String name = colon < 0 ? null : word.substring(colon + 1);
            if (provider.isEmpty() || (name != null && (name.isEmpty() || name.contains(":")))) {
                throw new UsageException("probe '" + word + "' is not PROVIDER or PROVIDER:NAME");
            }
            return new String[] {provider, name};
        }
    }
}
