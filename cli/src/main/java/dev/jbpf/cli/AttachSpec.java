package dev.jbpf.cli;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Cgroup;
import dev.jbpf.link.Kprobe;
import dev.jbpf.link.KprobeMulti;
import dev.jbpf.link.Ksyscall;
import dev.jbpf.link.RawTracepoint;
import dev.jbpf.link.Tc;
import dev.jbpf.link.Tracepoint;
import dev.jbpf.link.Uprobe;
import dev.jbpf.link.UprobeMulti;
import dev.jbpf.link.Usdt;
import dev.jbpf.link.Xdp;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.perf.SoftwareEvent;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.ProgramType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where {@code jbpf attach --at PROG=SPEC} attaches a program. SPEC reads like a libbpf section
 * name, KIND/TARGET; see {@link #SYNTAX}. Parsing checks the syntax only; attaching talks to the
 * kernel.
 */
sealed interface AttachSpec {
    String SYNTAX = "tracepoint/CATEGORY/NAME | raw_tracepoint/NAME | kprobe/FUNC[+OFFSET] | kretprobe/FUNC"
            + " | ksyscall/NAME | kretsyscall/NAME | kprobe.multi/PATTERN | kretprobe.multi/PATTERN"
            + " | uprobe/BINARY:SYMBOL[+OFFSET] | uretprobe/BINARY:SYMBOL | uprobe.multi/BINARY:PATTERN"
            + " | uretprobe.multi/BINARY:PATTERN | usdt/BINARY:PROVIDER:NAME"
            + " | perf_event/software|hardware/EVENT[/freq=HZ|/period=N]"
            + " | xdp/IFACE[/skb|drv] | tc/IFACE/ingress|egress | cgroup/PATH (relative to /sys/fs/cgroup)";

    /**
     * What a program needs to be attached to, in words ("a kernel function"), and the --at
     * SPEC that gives it one, or null when {@code jbpf attach} has no --at form for it (socket
     * filters, fentry/fexit and LSM programs, whose target is fixed when they load, ...).
     */
    record Target(String what, String form) {
        /** The target of a program with this section and type: its section's kind first, its type after. */
        static Target of(String section, ProgramType type) {
            String kind = section.split("/", 2)[0];
            if (kind.endsWith(".s")) {
                kind = kind.substring(0, kind.length() - 2); // sleepable: uprobe.s, usdt.s, ...
            }
            return switch (kind) {
                case "kprobe" -> new Target("a kernel function", "kprobe/FUNC[+OFFSET]");
                case "kretprobe" -> new Target("a kernel function", "kretprobe/FUNC");
                case "ksyscall" -> new Target("a system call", "ksyscall/NAME");
                case "kretsyscall" -> new Target("a system call", "kretsyscall/NAME");
                case "kprobe.multi" -> new Target("kernel functions", "kprobe.multi/PATTERN");
                case "kretprobe.multi" -> new Target("kernel functions", "kretprobe.multi/PATTERN");
                case "uprobe" -> new Target("a binary and a symbol", "uprobe/BINARY:SYMBOL[+OFFSET]");
                case "uretprobe" -> new Target("a binary and a symbol", "uretprobe/BINARY:SYMBOL");
                case "uprobe.multi" -> new Target("a binary and symbols", "uprobe.multi/BINARY:PATTERN");
                case "uretprobe.multi" -> new Target("a binary and symbols", "uretprobe.multi/BINARY:PATTERN");
                case "usdt" -> new Target("a binary and a USDT probe", "usdt/BINARY:PROVIDER:NAME");
                case "tracepoint", "tp" -> new Target("a tracepoint", "tracepoint/CATEGORY/NAME");
                case "raw_tracepoint", "raw_tp" -> new Target("a raw tracepoint", "raw_tracepoint/NAME");
                // a concrete event: software cpu-clock exists on every machine, VMs without a PMU too
                case "perf_event" -> new Target("a perf event", "perf_event/software/cpu-clock/freq=99");
                case "xdp", "xdp.frags" -> new Target("a network interface", "xdp/IFACE[/skb|drv]");
                case "tc", "tcx", "classifier", "netkit" -> new Target("a network interface", "tc/IFACE/ingress|egress");
                default -> byType(type);
            };
        }

        private static Target byType(ProgramType type) {
            return switch (type) {
                case CGROUP_SKB, CGROUP_SOCK, CGROUP_SOCK_ADDR, CGROUP_DEVICE, CGROUP_SYSCTL, CGROUP_SOCKOPT, SOCK_OPS ->
                        new Target("a cgroup", "cgroup/PATH");
                case XDP -> new Target("a network interface", "xdp/IFACE[/skb|drv]");
                case SCHED_CLS -> new Target("a network interface", "tc/IFACE/ingress|egress");
                case SOCKET_FILTER -> new Target("a socket", null);
                case SK_SKB, SK_MSG -> new Target("a sockmap", null);
                case FLOW_DISSECTOR, SK_LOOKUP -> new Target("a network namespace", null);
                case TRACING, LSM, EXT -> new Target("the kernel function it was loaded for", null);
                default -> new Target("a target", null);
            };
        }

        /**
         * "; attach it with --at PROG=SPEC" for a program that lacked a target, "; --at PROG=SPEC
         * attaches it elsewhere" for one whose target failed, or why there is no such form.
         */
        String hint(String program, ProgramType type, boolean lackedTarget) {
            if (form == null) {
                return "; jbpf attach has no --at form for " + MapCommand.typeName(type) + " programs";
            }
            return lackedTarget ? "; attach it with --at " + program + "=" + form
                    : "; --at " + program + "=" + form + " attaches it elsewhere";
        }
    }

    /**
     * Attaches the program here; the links belong to the caller, and so do the perf events
     * this adds to {@code events}, which must stay open as long as the links do (see
     * {@link PerfSampling}).
     */
    List<BpfLink> attach(BpfProgram program, List<PerCpuPerfEvents> events);

    /**
     * Checks before anything is loaded what can be checked without the kernel: that the
     * binary, symbol, USDT probe, interface or cgroup exists. Throws the loader's not-found
     * exception (its message offers the closest names) when not.
     */
    default void check() {
    }

    /**
     * This spec tracing only process {@code pid} (--pid), or null when it is no user-space
     * probe (uprobe, uretprobe, uprobe.multi, usdt): kernel hooks have no process filter.
     */
    default AttachSpec withPid(int pid) {
        return null;
    }

    /** One attachment at an {@link AttachPoint}. */
    record Point(AttachPoint point) implements AttachSpec {
        @Override
        public List<BpfLink> attach(BpfProgram program, List<PerCpuPerfEvents> events) {
            return List.of(program.attach(point));
        }

        @Override
        public AttachSpec withPid(int pid) {
            return switch (point) {
                case Uprobe probe -> new Point(probe.withPid(pid));
                case UprobeMulti probes -> new Point(probes.withPid(pid));
                case Usdt probe -> new Point(probe.withPid(pid));
                default -> null;
            };
        }

        @Override
        public void check() {
            switch (point) {
                case Uprobe probe -> probe.resolve();
                case UprobeMulti probes -> probes.resolve();
                case Usdt probe -> ElfFile.read(Binaries.resolve(probe.binary())).usdtProbe(probe.provider(), probe.name());
                case Xdp xdp -> xdp.device().index();
                case Tc tc -> tc.device().index();
                case Cgroup cgroup -> {
                    if (!Files.isDirectory(cgroup.directory())) {
                        throw new BpfNotFoundException("find cgroup", cgroup.directory().toString(), "no such directory");
                    }
                }
                default -> {
                    // tracepoints and kernel functions: only the kernel can say whether it has them
                }
            }
        }
    }

    /**
     * A perf_event program sampling on every online CPU: one perf event and one link per CPU.
     * The events go to the caller: libbpf disables a perf event when its link's handle is
     * destroyed, even when the link is pinned, so after closing the object the caller enables
     * the events of pinned links again before closing them.
     */
    record PerfSampling(PerfEventType type, long frequency, long period) implements AttachSpec {
        @Override
        public List<BpfLink> attach(BpfProgram program, List<PerCpuPerfEvents> events) {
            PerfEvent.Builder builder = PerfEvent.builder(type);
            if (period > 0) {
                builder.samplePeriod(period);
            } else {
                builder.sampleFrequency(frequency);
            }
            PerCpuPerfEvents opened = builder.openOnEveryCpu();
            events.add(opened);
            return opened.attach(program);
        }
    }

    static AttachSpec parse(String spec) {
        int slash = spec.indexOf('/');
        if (slash <= 0 || slash == spec.length() - 1) {
            throw new UsageException("attach point '" + spec + "' is not KIND/TARGET: expected " + SYNTAX);
        }
        String kind = spec.substring(0, slash);
        String target = spec.substring(slash + 1);
        return switch (kind) {
            case "tracepoint", "tp" -> {
                int split = target.indexOf('/');
                if (split <= 0 || split == target.length() - 1) {
                    throw new UsageException("tracepoint '" + target + "' is not CATEGORY/NAME");
                }
                yield new Point(new Tracepoint(target.substring(0, split), target.substring(split + 1)));
            }
            case "raw_tracepoint", "raw_tp" -> new Point(new RawTracepoint(target));
            case "kprobe", "kretprobe" -> {
                String[] functionAndOffset = splitOffset(target);
                Kprobe probe = kind.equals("kprobe") ? Kprobe.entry(functionAndOffset[0]) : Kprobe.ret(functionAndOffset[0]);
                yield new Point(functionAndOffset[1] == null ? probe : probe.withOffset(offset(functionAndOffset[1])));
            }
            case "kprobe.multi" -> new Point(KprobeMulti.matching(target));
            case "kretprobe.multi" -> new Point(KprobeMulti.matching(target).withRetprobe(true));
            case "uprobe.multi", "uretprobe.multi" -> {
                int colon = target.lastIndexOf(':');
                if (colon <= 0 || colon == target.length() - 1) {
                    throw new UsageException(kind + " '" + target + "' is not BINARY:PATTERN");
                }
                UprobeMulti probes = UprobeMulti.matching(target.substring(0, colon), target.substring(colon + 1));
                yield new Point(kind.equals("uprobe.multi") ? probes : probes.withRetprobe(true));
            }
            case "ksyscall" -> new Point(new Ksyscall(target));
            case "kretsyscall" -> new Point(new Ksyscall(target).withRetprobe(true));
            case "uprobe", "uretprobe" -> {
                int colon = target.lastIndexOf(':');
                if (colon <= 0 || colon == target.length() - 1) {
                    throw new UsageException("uprobe '" + target + "' is not BINARY:SYMBOL[+OFFSET]");
                }
                String[] symbolAndOffset = splitOffset(target.substring(colon + 1));
                String binary = target.substring(0, colon);
                Uprobe probe = kind.equals("uprobe") ? Uprobe.entry(binary, symbolAndOffset[0])
                        : Uprobe.ret(binary, symbolAndOffset[0]);
                yield new Point(symbolAndOffset[1] == null ? probe : probe.withOffset(offset(symbolAndOffset[1])));
            }
            case "usdt" -> {
                String[] parts = target.split(":");
                if (parts.length < 3) {
                    throw new UsageException("usdt '" + target + "' is not BINARY:PROVIDER:NAME");
                }
                String binary = String.join(":", Arrays.copyOf(parts, parts.length - 2));
                yield new Point(Usdt.of(binary, parts[parts.length - 2], parts[parts.length - 1]));
            }
            case "perf_event" -> perfSampling(target);
            case "xdp" -> {
                String[] parts = target.split("/");
                if (parts.length > 2) {
                    throw new UsageException("xdp '" + target + "' is not IFACE[/skb|drv]");
                }
                Xdp.Mode mode = parts.length == 1 ? Xdp.Mode.DEFAULT : switch (parts[1]) {
                    case "skb" -> Xdp.Mode.SKB;
                    case "drv" -> Xdp.Mode.DRV;
                    default -> throw new UsageException("xdp mode '" + parts[1] + "': expected skb or drv");
                };
                yield new Point(new Xdp(parts[0], mode));
            }
            case "tc" -> {
                String[] parts = target.split("/");
                if (parts.length != 2) {
                    throw new UsageException("tc '" + target + "' is not IFACE/ingress or IFACE/egress");
                }
                Tc.Direction direction = switch (parts[1]) {
                    case "ingress" -> Tc.Direction.INGRESS;
                    case "egress" -> Tc.Direction.EGRESS;
                    default -> throw new UsageException("tc direction '" + parts[1] + "': expected ingress or egress");
                };
                yield new Point(new Tc(parts[0], direction));
            }
            case "cgroup" -> new Point(new Cgroup(target.startsWith("/") ? Path.of(target) : Path.of("/sys/fs/cgroup", target)));
            default -> throw new UsageException("unknown attach kind '" + kind + "': expected " + SYNTAX);
        };
    }

    /** "name+0x10" → {"name", "0x10"}; "name" → {"name", null}. */
    private static String[] splitOffset(String target) {
        int plus = target.lastIndexOf('+');
        return plus <= 0 ? new String[] {target, null} : new String[] {target.substring(0, plus), target.substring(plus + 1)};
    }

    private static long offset(String text) {
        try {
            return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("offset '" + text + "' is not a number (decimal or 0x-hex)");
        }
    }

    private static AttachSpec perfSampling(String target) {
        String[] parts = target.split("/");
        if (parts.length < 2 || parts.length > 3) {
            throw new UsageException("perf event '" + target + "' is not software|hardware/EVENT[/freq=HZ|/period=N]");
        }
        PerfEventType type = switch (parts[0]) {
            case "software" -> PerfEventType.software(byPerfName(SoftwareEvent.values(), parts[1], SoftwareEvent::perfName));
            case "hardware" -> PerfEventType.hardware(byPerfName(HardwareEvent.values(), parts[1], HardwareEvent::perfName));
            default -> throw new UsageException("perf event type '" + parts[0] + "': expected software or hardware");
        };
        long frequency = 99;
        long period = 0;
        if (parts.length == 3) {
            String[] setting = parts[2].split("=", 2);
            long value = setting.length == 2 && setting[1].matches("[1-9][0-9]{0,17}") ? Long.parseLong(setting[1]) : -1;
            switch (setting[0]) {
                case "freq" -> frequency = value;
                case "period" -> period = value;
                default -> value = -1;
            }
            if (value <= 0) {
                throw new UsageException("perf event setting '" + parts[2] + "': expected freq=HZ or period=N");
            }
        }
        return new PerfSampling(type, frequency, period);
    }

    private static <E> E byPerfName(E[] events, String name, java.util.function.Function<E, String> perfName) {
        return Arrays.stream(events).filter(e -> perfName.apply(e).equals(name)).findFirst()
                .orElseThrow(() -> new UsageException("unknown perf event '" + name + "': expected one of "
                        + Arrays.stream(events).map(perfName).collect(Collectors.joining(", "))));
    }
}
