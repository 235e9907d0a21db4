package dev.jbpf.cli;

import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.RawTracepoint;
import dev.jbpf.link.Tracepoint;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.PerCpuPerfEvents;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.perf.SoftwareEvent;
import dev.jbpf.program.BpfProgram;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where {@code jbpf attach --at PROG=SPEC} attaches a program. SPEC reads like a libbpf section
 * name, KIND/TARGET; see {@link #SYNTAX}. Parsing checks the syntax only; attaching talks to the
 * kernel.
 */
sealed interface AttachSpec {
    String SYNTAX = "tracepoint/CATEGORY/NAME | raw_tracepoint/NAME"
            + " | perf_event/software|hardware/EVENT[/freq=HZ|/period=N]";

    /** Attaches the program here; the links belong to the caller. */
    List<BpfLink> attach(BpfProgram program);

    /** One attachment at an {@link AttachPoint}. */
    record Point(AttachPoint point) implements AttachSpec {
        @Override
        public List<BpfLink> attach(BpfProgram program) {
            return List.of(program.attach(point));
        }
    }

    /** A perf_event program sampling on every online CPU: one perf event and one link per CPU. */
    record PerfSampling(PerfEventType type, long frequency, long period) implements AttachSpec {
        @Override
        public List<BpfLink> attach(BpfProgram program) {
            PerfEvent.Builder builder = PerfEvent.builder(type);
            if (period > 0) {
                builder.samplePeriod(period);
            } else {
                builder.sampleFrequency(frequency);
            }
            // the links hold their own fds of the events, so the events may close here
            try (PerCpuPerfEvents events = builder.openOnEveryCpu()) {
                return events.attach(program);
            }
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
            case "perf_event" -> perfSampling(target);
            default -> throw new UsageException("unknown attach kind '" + kind + "': expected " + SYNTAX);
        };
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
