package dev.jbpf.perf;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.perf_event_attr;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibC;
import dev.jbpf.internal.Owner;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One perf event opened with perf_event_open(2): a counter of a software, hardware,
 * tracepoint or other PMU event, on one CPU (every task there) or for one task (on any CPU),
 * counting or sampling. Read its counter with {@link #read()}, switch it with {@link
 * #enable()}/{@link #disable()}/{@link #reset()}, attach a BPF program to it with {@code
 * program.attach(new PerfEventAttach(event))}, or put it in a {@code PERF_EVENT_ARRAY} map for
 * {@code bpf_perf_event_read_value} ({@link #putInto}).
 *
 * <p>Made by {@link #builder(PerfEventType)}: {@code PerfEvent.builder(PerfEventType.software(
 * SoftwareEvent.TASK_CLOCK)).pid(0).open()} counts the calling thread's CPU time;
 * {@code .openOnEveryCpu()} opens one event per online CPU.
 *
 * <p><b>Native resources.</b> Owns the perf event's file descriptor until {@link #close()}.
 * A link made from it and a map entry holding it keep their own references to the kernel's
 * event, so a program attached to it keeps running after this object closes, until its link
 * closes. After close every method throws {@link IllegalStateException}. Not thread-safe for
 * closing while another thread uses it.
 */
public final class PerfEvent implements AutoCloseable {
    /** read(2) gives { u64 value; u64 time_enabled; u64 time_running; } with the read_format jbpf sets. */
    private static final int READ_SIZE = 3 * Long.BYTES;
    private static final long READ_FORMAT = BpfConstants.PERF_FORMAT_TOTAL_TIME_ENABLED
            | BpfConstants.PERF_FORMAT_TOTAL_TIME_RUNNING;
    static final Path MAX_SAMPLE_RATE = Path.of("/proc/sys/kernel/perf_event_max_sample_rate");
    static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");

    private final Fd fd;
    private final Owner state;
    private final PerfEventType type;
    private final int pid;
    private final int cpu;
    private final String description;

    private PerfEvent(Fd fd, PerfEventType type, int pid, int cpu, String description) {
        this.fd = fd;
        this.type = type;
        this.pid = pid;
        this.cpu = cpu;
        this.description = description;
        this.state = new Owner("perf event " + description);
    }

    /** A builder for an event of this type; set a CPU, a pid, or open it on every CPU. */
    public static Builder builder(PerfEventType type) {
        return new Builder(type);
    }

    /**
     * What to open: the event type, where (CPU and/or task), and how (counting, or sampling
     * by period or frequency). Not thread-safe; may open several events.
     */
    public static final class Builder {
        private final PerfEventType type;
        private int pid = -1;
        private int cpu = -1;
        private long samplePeriod;
        private long sampleFrequency;
        private boolean disabled;
        private boolean excludeKernel;
        private boolean excludeUser;
        private boolean inherit;

        private Builder(PerfEventType type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /**
         * Counts one task only: a thread id (as in /proc/PID/task), a process's main thread
         * (its pid), or 0 for the thread that calls {@link #open()}. Unset: every task on the
         * chosen CPU.
         *
         * @throws IllegalArgumentException when pid is negative
         */
        public Builder pid(int pid) {
            if (pid < 0) {
                throw new IllegalArgumentException("pid must be >= 0 (0 = the calling thread), got " + pid
                        + "; leave it unset to count every task on one CPU");
            }
            this.pid = pid;
            return this;
        }

        /**
         * Counts on one CPU only. Unset: the task's events on whatever CPU it runs.
         *
         * @throws IllegalArgumentException when cpu is negative
         */
        public Builder cpu(int cpu) {
            if (cpu < 0) {
                throw new IllegalArgumentException("cpu must be >= 0, got " + cpu
                        + "; leave it unset to follow a task on any CPU");
            }
            this.cpu = cpu;
            return this;
        }

        /**
         * Samples every {@code period} events (for clock events: nanoseconds): each sample runs
         * an attached BPF program. Exclusive with {@link #sampleFrequency}.
         */
        public Builder samplePeriod(long period) {
            if (period <= 0) {
                throw new IllegalArgumentException("sample period must be > 0, got " + period);
            }
            if (sampleFrequency != 0) {
                throw new IllegalArgumentException("sample period and sample frequency are exclusive: frequency "
                        + sampleFrequency + " Hz is already set");
            }
            this.samplePeriod = period;
            return this;
        }

        /**
         * Samples about {@code hertz} times per second (the kernel adapts the period). At most
         * kernel.perf_event_max_sample_rate. Exclusive with {@link #samplePeriod}.
         */
        public Builder sampleFrequency(long hertz) {
            if (hertz <= 0) {
                throw new IllegalArgumentException("sample frequency must be > 0 Hz, got " + hertz);
            }
            if (samplePeriod != 0) {
                throw new IllegalArgumentException("sample period and sample frequency are exclusive: period "
                        + samplePeriod + " is already set");
            }
            this.sampleFrequency = hertz;
            return this;
        }

        /** Opens the event disabled: it counts nothing until {@link PerfEvent#enable()} (or an attach). */
        public Builder disabled(boolean disabled) {
            this.disabled = disabled;
            return this;
        }

        /** Leaves out what happens in kernel mode (needed by unprivileged users when perf_event_paranoid >= 2). */
        public Builder excludeKernel(boolean exclude) {
            this.excludeKernel = exclude;
            return this;
        }

        /** Leaves out what happens in user mode. */
        public Builder excludeUser(boolean exclude) {
            this.excludeUser = exclude;
            return this;
        }

        /** Also counts the threads and processes the task creates after the event is opened (per-task events only). */
        public Builder inherit(boolean inherit) {
            this.inherit = inherit;
            return this;
        }

        /**
         * Opens the event (perf_event_open(2)).
         *
         * @throws IllegalStateException when neither a CPU nor a pid is set (one event cannot
         *     watch every task on every CPU: use {@link #openOnEveryCpu()})
         * @throws IllegalArgumentException when the CPU is not online, or the sample frequency
         *     is above kernel.perf_event_max_sample_rate
         * @throws PerfEventUnavailableException when this machine or kernel lacks the event
         *     (e.g. hardware events without a PMU)
         * @throws BpfException for other refusals (e.g. {@code BpfPermissionException}, ESRCH for a pid that does not exist)
         */
        public PerfEvent open() {
            if (pid == -1 && cpu == -1) {
                throw new IllegalStateException("set a cpu or a pid before open(): one perf event cannot watch every "
                        + "task on every CPU (use openOnEveryCpu())");
            }
            checkFrequency();
            if (cpu >= 0) {
                List<Integer> online = Cpus.online();
                if (!online.contains(cpu)) {
                    throw new IllegalArgumentException("cpu " + cpu + " is not online (online CPUs: " + online + ")");
                }
            }
            return openOn(cpu);
        }

        /**
         * Opens one event per online CPU (the pid, if set, is kept: that task's events on each
         * CPU). All or nothing: when one fails, those already open are closed.
         *
         * @throws IllegalStateException when a CPU was set
         */
        public PerCpuPerfEvents openOnEveryCpu() {
            if (cpu != -1) {
                throw new IllegalStateException("openOnEveryCpu() opens one event per CPU: do not set cpu(" + cpu + ")");
            }
            checkFrequency();
            List<PerfEvent> events = new ArrayList<>();
            try {
                for (int each : Cpus.online()) {
                    events.add(openOn(each));
                }
            } catch (RuntimeException | Error e) {
                for (PerfEvent event : events) {
                    event.close();
                }
                throw e;
            }
            return new PerCpuPerfEvents(events);
        }

        private void checkFrequency() {
            if (sampleFrequency == 0) {
                return;
            }
            try {
                long max = KernelFiles.number(MAX_SAMPLE_RATE);
                if (sampleFrequency > max) {
                    throw new IllegalArgumentException("sample frequency " + sampleFrequency
                            + " Hz is above kernel.perf_event_max_sample_rate (" + max + " Hz)");
                }
            } catch (IOException | NumberFormatException e) {
                // no such file (older kernel, no procfs): let the kernel decide
            }
        }

        private String where(int onCpu) {
            String task = pid == -1 ? "every task" : pid == 0 ? "the calling thread" : "pid " + pid;
            return type.description() + " for " + task + (onCpu == -1 ? " on any CPU" : " on cpu " + onCpu);
        }

        private PerfEvent openOn(int onCpu) {
            String what = where(onCpu);
            int result;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment attr = perf_event_attr.allocate(arena); // zeroed: every unset field is 0
                perf_event_attr.type(attr, type.type());
                perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
                perf_event_attr.config(attr, type.config());
                if (sampleFrequency != 0) {
                    perf_event_attr.freq(attr, 1);
                    perf_event_attr.sample_freq(attr, sampleFrequency);
                } else {
                    perf_event_attr.sample_period(attr, samplePeriod);
                }
                perf_event_attr.read_format(attr, READ_FORMAT);
                perf_event_attr.disabled(attr, disabled ? 1 : 0);
                perf_event_attr.exclude_kernel(attr, excludeKernel ? 1 : 0);
                perf_event_attr.exclude_user(attr, excludeUser ? 1 : 0);
                perf_event_attr.inherit(attr, inherit ? 1 : 0);
                result = LibC.perfEventOpen(attr, pid, onCpu, -1, BpfConstants.PERF_FLAG_FD_CLOEXEC);
            }
            if (result < 0) {
                throw openFailure(what, -result);
            }
            return new PerfEvent(Fd.adopt(result), type, pid, onCpu, what);
        }

        private BpfException openFailure(String what, int errno) {
            String operation = "open perf event";
            if (errno == Errno.ENOENT || errno == Errno.EOPNOTSUPP || (errno == Errno.ENODEV && type.needsCpuPmu())) {
                String detail = type.needsCpuPmu()
                        ? "hardware PMU events are not available on this machine"
                        : "this kernel or PMU has no such event (type " + type.type() + ", config 0x"
                                + Long.toHexString(type.config()) + ")";
                return new PerfEventUnavailableException(operation, what, errno, detail);
            }
            if (errno == Errno.EPERM || errno == Errno.EACCES) {
                return BpfException.of(operation, what, errno, "perf events need root or CAP_PERFMON ("
                        + PARANOID + " is " + paranoid() + ")");
            }
            if (errno == Errno.ESRCH) {
                return BpfException.of(operation, what, errno, "no task with id " + pid);
            }
            return BpfException.of(operation, what, errno, null);
        }

        private static String paranoid() {
            try {
                return KernelFiles.firstLine(PARANOID);
            } catch (IOException e) {
                return "unreadable";
            }
        }
    }

    /** The perf event's file descriptor (owned by this object). */
    public int fd() {
        state.ensureOpen();
        return fd.value();
    }

    public PerfEventType type() {
        return type;
    }

    /** The CPU it counts on, -1 when it follows a task on any CPU. */
    public int cpu() {
        return cpu;
    }

    /** The task it counts, -1 for every task on its CPU, 0 for the thread that opened it. */
    public int pid() {
        return pid;
    }

    /** How messages name this event, e.g. "software cpu-clock for every task on cpu 0". */
    public String description() {
        return description;
    }

    /** Starts counting (PERF_EVENT_IOC_ENABLE). */
    public void enable() {
        ioctl("enable", BpfConstants.PERF_EVENT_IOC_ENABLE);
    }

    /** Stops counting (PERF_EVENT_IOC_DISABLE); the counter keeps its value. */
    public void disable() {
        ioctl("disable", BpfConstants.PERF_EVENT_IOC_DISABLE);
    }

    /** Sets the counter back to 0 (PERF_EVENT_IOC_RESET); the enabled/running times go on. */
    public void reset() {
        ioctl("reset", BpfConstants.PERF_EVENT_IOC_RESET);
    }

    private void ioctl(String operation, long request) {
        int errno = LibC.ioctl(fd(), request, 0);
        if (errno != 0) {
            throw BpfException.of(operation, "perf event " + description, errno, null);
        }
    }

    /** Reads the counter and its enabled/running times (read(2) on the fd). */
    public PerfCount read() {
        int value = fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(READ_SIZE, Long.BYTES);
            long got = LibC.read(value, buffer);
            if (got < 0) {
                throw BpfException.of("read", "perf event " + description, (int) -got, null);
            }
            if (got != READ_SIZE) {
                throw new BpfException("read", "perf event " + description, "read " + got + " bytes, expected "
                        + READ_SIZE);
            }
            return new PerfCount(buffer.get(ValueLayout.JAVA_LONG, 0), buffer.get(ValueLayout.JAVA_LONG, 8),
                    buffer.get(ValueLayout.JAVA_LONG, 16));
        }
    }

    /**
     * Stores this event's fd at {@code index} of a {@code PERF_EVENT_ARRAY} map (e.g. index =
     * its CPU), where BPF programs read it with {@code bpf_perf_event_read_value}. The map
     * holds its own reference to the event until the entry is deleted or the map is freed.
     *
     * @throws IllegalArgumentException when the map is not a perf event array or index is out of range
     */
    public void putInto(BpfMap perfEventArray, int index) {
        Objects.requireNonNull(perfEventArray, "perfEventArray");
        if (perfEventArray.type() != MapType.PERF_EVENT_ARRAY) {
            throw new IllegalArgumentException("map " + perfEventArray.name() + " is a "
                    + perfEventArray.type().displayName() + " map, not a perf_event_array map");
        }
        if (index < 0 || index >= perfEventArray.maxEntries()) {
            throw new IllegalArgumentException("index " + index + " is outside map " + perfEventArray.name()
                    + " (max_entries " + perfEventArray.maxEntries() + ")");
        }
        perfEventArray.update(Codec.INT.encode(index), Codec.INT.encode(fd()));
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return state.isOpen();
    }

    /** Closes the fd. Closing twice does nothing. */
    @Override
    public void close() {
        if (state.close()) {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "PerfEvent[" + description + (isOpen() ? "]" : ", closed]");
    }
}
