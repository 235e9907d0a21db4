package dev.jbpf.perf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.TraceFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What a perf event counts: {@code perf_event_attr.type} (the PMU) and {@code .config} (the
 * event of that PMU), with a description for messages. Made by the factories, which look the
 * numbers up where the kernel publishes them (tracefs for tracepoint ids, sysfs for PMU types).
 * A value; owns no native memory.
 *
 * @param type the PMU's type number ({@code PERF_TYPE_*}, or a dynamic PMU's number from
 *     /sys/bus/event_source/devices/NAME/type)
 * @param config the event within that PMU
 * @param description how messages name the event, e.g. "software cpu-clock"
 */
public record PerfEventType(int type, long config, String description) {
    static final Path PMU_DEVICES = Path.of("/sys/bus/event_source/devices");

    public PerfEventType {
        if (type < 0) {
            throw new IllegalArgumentException("perf event type must be >= 0, got " + type);
        }
        Objects.requireNonNull(description, "description");
    }

    /** A software event, e.g. {@code software(SoftwareEvent.CPU_CLOCK)}. */
    public static PerfEventType software(SoftwareEvent event) {
        Objects.requireNonNull(event, "event");
        return new PerfEventType(BpfConstants.PERF_TYPE_SOFTWARE, event.config(), "software " + event.perfName());
    }

    /** A generalized hardware event, e.g. {@code hardware(HardwareEvent.CPU_CYCLES)}; needs a CPU PMU. */
    public static PerfEventType hardware(HardwareEvent event) {
        Objects.requireNonNull(event, "event");
        return new PerfEventType(BpfConstants.PERF_TYPE_HARDWARE, event.config(), "hardware " + event.perfName());
    }

    /** A raw, CPU-model-specific event code of the CPU PMU ({@code PERF_TYPE_RAW}). */
    public static PerfEventType raw(long config) {
        return new PerfEventType(BpfConstants.PERF_TYPE_RAW, config, "raw 0x" + Long.toHexString(config));
    }

    /**
     * A kernel tracepoint, {@code category/name} as under tracefs' events/ (e.g.
     * "syscalls", "sys_enter_getppid"); its id is read from events/CATEGORY/NAME/id.
     *
     * @throws IllegalArgumentException when a name is empty or contains '/'
     * @throws BpfNotFoundException when the kernel has no such tracepoint, or tracefs is not mounted
     */
    public static PerfEventType tracepoint(String category, String name) {
        requireSimpleName(category, "tracepoint category");
        requireSimpleName(name, "tracepoint name");
        String target = category + "/" + name;
        Path events = TraceFs.eventsDir()
                .orElseThrow(() -> new BpfNotFoundException("find tracepoint", target, Errno.ENOENT,
                        "tracefs is not mounted (looked at " + TraceFs.LOCATIONS.get(0) + " and "
                                + TraceFs.LOCATIONS.get(1) + "; mount it with: mount -t tracefs tracefs "
                                + TraceFs.DEFAULT_MOUNT + ")"));
        Path idFile = events.resolve(category).resolve(name).resolve("id");
        if (!Files.isRegularFile(idFile)) {
            String hint = Files.isDirectory(events.resolve(category))
                    ? "category " + category + " has no tracepoint " + name
                    : "no tracepoint category " + category;
            throw new BpfNotFoundException("find tracepoint", target, Errno.ENOENT, hint + " under " + events);
        }
        long id = readNumber(idFile, "read tracepoint id", target);
        return new PerfEventType(BpfConstants.PERF_TYPE_TRACEPOINT, id, "tracepoint " + target);
    }

    /**
     * An event of a PMU named as under /sys/bus/event_source/devices (e.g. "software",
     * "msr", "cpu", "uprobe"), whose dynamic type number is read from NAME/type.
     *
     * @throws IllegalArgumentException when the name is empty or contains '/'
     * @throws BpfNotFoundException when there is no such PMU; the message lists those there are
     */
    public static PerfEventType pmu(String pmuName, long config) {
        requireSimpleName(pmuName, "PMU name");
        Path typeFile = PMU_DEVICES.resolve(pmuName).resolve("type");
        if (!Files.isRegularFile(typeFile)) {
            throw new BpfNotFoundException("find PMU", pmuName, Errno.ENOENT,
                    "no such PMU in " + PMU_DEVICES + "; this machine has: " + String.join(", ", pmuNames()));
        }
        long type = readNumber(typeFile, "read PMU type", pmuName);
        return new PerfEventType((int) type, config, "PMU " + pmuName + " config 0x" + Long.toHexString(config));
    }

    /** An event by its raw numbers, e.g. a PMU type read elsewhere. */
    public static PerfEventType of(int type, long config) {
        return new PerfEventType(type, config, "type " + type + " config 0x" + Long.toHexString(config));
    }

    /** The PMUs this machine has, as named under /sys/bus/event_source/devices, sorted. */
    public static List<String> pmuNames() {
        try (Stream<Path> devices = Files.list(PMU_DEVICES)) {
            return devices.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Whether the event needs the CPU's own PMU (hardware, hardware cache or raw events). */
    boolean needsCpuPmu() {
        return type == BpfConstants.PERF_TYPE_HARDWARE || type == BpfConstants.PERF_TYPE_HW_CACHE
                || type == BpfConstants.PERF_TYPE_RAW;
    }

    private static void requireSimpleName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.contains("/") || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " must be a non-empty name without '/', got \"" + value + "\"");
        }
    }

    private static long readNumber(Path file, String operation, String target) {
        try {
            return KernelFiles.number(file);
        } catch (IOException | NumberFormatException e) {
            throw new BpfException(operation, target, "cannot read a number from " + file + ": " + e, e);
        }
    }
}
