package dev.jbpf.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.jbpf.features.ConfigOption;
import dev.jbpf.features.Facility;
import dev.jbpf.features.Helper;
import dev.jbpf.features.KernelFeatures;
import dev.jbpf.features.MapTypeSupport;
import dev.jbpf.features.ProgramTypeSupport;
import dev.jbpf.features.SystemConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf feature probe [kernel] [full]}: what the running kernel supports, printed as
 * {@code bpftool feature probe kernel} prints it (text, or -j with bpftool's JSON keys) for
 * its sections system_config, syscall_config, program_types, map_types, helpers and misc,
 * so that scripts can switch tools. The answers come from {@link KernelFeatures}.
 */
@Command(name = "feature", description = "Probe what the running kernel supports for BPF.", mixinStandardHelpOptions = true,
        subcommands = FeatureCommand.Probe.class)
final class FeatureCommand {
    private FeatureCommand() {
    }

    /** bpftool's misc section: its JSON key and words, and the facility that answers. */
    private record Misc(String key, String words, Facility facility) {
    }

    private static final List<Misc> MISC = List.of(
            new Misc("have_large_insn_limit", "Large program size limit", Facility.LARGE_INSN_LIMIT),
            new Misc("have_bounded_loops", "Bounded loop support", Facility.BOUNDED_LOOPS),
            new Misc("have_v2_isa_extension", "ISA extension v2", Facility.V2_ISA_EXTENSION),
            new Misc("have_v3_isa_extension", "ISA extension v3", Facility.V3_ISA_EXTENSION));

    @Command(name = "probe", description = "Probe the kernel's program types, map types, helpers per program type and "
            + "misc features as bpftool feature probe kernel does, with its JSON keys (-j). WORD: kernel (the only "
            + "component: the default), full (also probe bpf_trace_printk, bpf_trace_vprintk and bpf_probe_write_user, "
            + "whose probes write to the kernel log). Needs root, as bpftool does.")
    static final class Probe implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "WORD", description = "kernel | full")
        List<String> words = List.of();

        private boolean full;

        @Override
        public Integer call() throws IOException {
            parseWords();
            if (!dev.jbpf.internal.Capabilities.canLoadBpf()) {
                // without them the kernel refuses the probe programs, and every answer would read "not available"
                throw new IllegalStateException("probing features needs root (or CAP_BPF and CAP_PERFMON, and CAP_NET_ADMIN "
                        + "for networking program types), which this process lacks: without them every probe would read "
                        + "\"not available\"");
            }
            // the bulk of the run, thousands of program loads: on every core, before printing reads the answers
            KernelFeatures.programTypes().parallelStream().forEach(type -> KernelFeatures.helpers(type.type(), full));
            PrintWriter out = spec.commandLine().getOut();
            if (options.json()) {
                Output.printJson(out, options, this::writeJson);
            } else {
                printText(out);
                out.flush();
            }
            return Main.EXIT_OK;
        }

        /** bpftool's words: "kernel" (the one component jbpf probes) and "full", each at most once; prefixes as bpftool. */
        private void parseWords() {
            boolean kernel = false;
            for (String word : words) {
                if (!word.isEmpty() && "kernel".startsWith(word) && !kernel) {
                    kernel = true;
                } else if (!word.isEmpty() && "full".startsWith(word) && !full) {
                    full = true;
                } else if (word.equals("dev")) {
                    throw new UsageException("probing a device (dev NAME) is not supported: jbpf feature probe [kernel] [full]");
                } else {
                    throw new UsageException("expected 'kernel' or 'full', got '" + word + "'");
                }
            }
        }

        private void writeJson(JsonGenerator json) throws IOException {
            json.writeStartObject();
            SystemConfig system = KernelFeatures.systemConfig();
            json.writeObjectFieldStart("system_config");
            json.writeNumberField("unprivileged_bpf_disabled", system.unprivilegedBpfDisabled());
            json.writeNumberField("bpf_jit_enable", system.jitEnable());
            json.writeNumberField("bpf_jit_harden", system.jitHarden());
            json.writeNumberField("bpf_jit_kallsyms", system.jitKallsyms());
            json.writeNumberField("bpf_jit_limit", system.jitLimit());
            // as bpftool: without a readable config no option is written at all
            for (ConfigOption option : system.configFile() == null ? List.<ConfigOption>of() : system.kernelConfig()) {
                // bpftool writes every value as a string ("y", "250") and an unset option as null
                json.writeStringField(option.name(), option.value());
            }
            json.writeEndObject();
            boolean syscall = KernelFeatures.has(Facility.BPF_SYSCALL);
            json.writeObjectFieldStart("syscall_config");
            json.writeBooleanField("have_bpf_syscall", syscall);
            json.writeEndObject();
            if (syscall) { // as bpftool: without bpf(2) there is nothing more to probe
                json.writeObjectFieldStart("program_types");
                for (ProgramTypeSupport type : KernelFeatures.programTypes()) {
                    json.writeBooleanField("have_" + type.name() + "_prog_type", type.available());
                }
                json.writeEndObject();
                json.writeObjectFieldStart("map_types");
                for (MapTypeSupport type : KernelFeatures.mapTypes()) {
                    json.writeBooleanField("have_" + type.name() + "_map_type", type.available());
                }
                json.writeEndObject();
                json.writeObjectFieldStart("helpers");
                for (ProgramTypeSupport type : KernelFeatures.programTypes()) {
                    json.writeArrayFieldStart(type.name() + "_available_helpers");
                    for (Helper helper : KernelFeatures.helpers(type.type(), full)) {
                        json.writeString(helper.name());
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
                json.writeObjectFieldStart("misc");
                for (Misc misc : MISC) {
                    json.writeBooleanField(misc.key(), KernelFeatures.has(misc.facility()));
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        }

        private void printText(PrintWriter out) {
            SystemConfig system = KernelFeatures.systemConfig();
            out.println("Scanning system configuration...");
            out.println(switch (system.unprivilegedBpfDisabled()) {
                case 0 -> "bpf() syscall for unprivileged users is enabled";
                case 1 -> "bpf() syscall restricted to privileged users (without recovery)";
                case 2 -> "bpf() syscall restricted to privileged users (admin can change)";
                case -1 -> "Unable to retrieve required privileges for bpf() syscall";
                default -> "bpf() syscall restriction has unknown value " + system.unprivilegedBpfDisabled();
            });
            out.println(switch (system.jitEnable()) {
                case 0 -> "JIT compiler is disabled";
                case 1 -> "JIT compiler is enabled";
                case 2 -> "JIT compiler is enabled with debugging traces in kernel logs";
                case -1 -> "Unable to retrieve JIT-compiler status";
                default -> "JIT-compiler status has unknown value " + system.jitEnable();
            });
            out.println(switch (system.jitHarden()) {
                case 0 -> "JIT compiler hardening is disabled";
                case 1 -> "JIT compiler hardening is enabled for unprivileged users";
                case 2 -> "JIT compiler hardening is enabled for all users";
                case -1 -> "Unable to retrieve JIT hardening status";
                default -> "JIT hardening status has unknown value " + system.jitHarden();
            });
            out.println(switch (system.jitKallsyms()) {
                case 0 -> "JIT compiler kallsyms exports are disabled";
                case 1 -> "JIT compiler kallsyms exports are enabled for root";
                case -1 -> "Unable to retrieve JIT kallsyms export status";
                default -> "JIT kallsyms exports status has unknown value " + system.jitKallsyms();
            });
            out.println(system.jitLimit() == -1 ? "Unable to retrieve global memory limit for JIT compiler for unprivileged users"
                    : "Global memory limit for JIT compiler for unprivileged users is " + system.jitLimit() + " bytes");
            if (system.configFile() == null) {
                // bpftool's words, on stderr as its p_info: no option lines follow
                spec.commandLine().getErr().println("skipping kernel config, can't open file: No such file or directory");
            } else {
                for (ConfigOption option : system.kernelConfig()) {
                    out.println(option.value() == null ? option.name() + " is not set" : option.name() + " is set to " + option.value());
                }
            }
            out.println();

            out.println("Scanning system call availability...");
            boolean syscall = KernelFeatures.has(Facility.BPF_SYSCALL);
            out.println(available("bpf() syscall", syscall));
            out.println();
            if (!syscall) {
                return;
            }

            out.println("Scanning eBPF program types...");
            for (ProgramTypeSupport type : KernelFeatures.programTypes()) {
                out.println(available("eBPF program_type " + type.name(), type.available()));
            }
            out.println();

            out.println("Scanning eBPF map types...");
            for (MapTypeSupport type : KernelFeatures.mapTypes()) {
                out.println(available("eBPF map_type " + type.name(), type.available()));
            }
            out.println();

            out.println("Scanning eBPF helper functions...");
            for (ProgramTypeSupport type : KernelFeatures.programTypes()) {
                out.println("eBPF helpers supported for program type " + type.name() + ":");
                List<Helper> helpers = KernelFeatures.helpers(type.type(), full);
                for (Helper helper : helpers) {
                    out.println("\t- " + helper.name());
                }
                if (helpers.isEmpty()) {
                    // bpftool's two cases: the type is missing, or libbpf cannot probe its helpers
                    out.println(type.available() ? "\tCould not determine which helpers are available" : "\tProgram type not supported");
                }
            }
            out.println();

            out.println("Scanning miscellaneous eBPF features...");
            for (Misc misc : MISC) {
                out.println(available(misc.words(), KernelFeatures.has(misc.facility())));
            }
            out.println();
        }

        private static String available(String what, boolean yes) {
            return what + " is " + (yes ? "" : "NOT ") + "available";
        }
    }
}
