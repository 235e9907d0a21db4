package dev.jbpf.program;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_test_run_opts;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibBpfLog;
import dev.jbpf.internal.Owner;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A program of a {@code LoadedObject}: in the kernel (unless its autoload was off), ready to
 * attach and pin.
 *
 * <p>Native memory: none of its own, and no {@code close()}: it points into the
 * {@code struct bpf_object} its {@code LoadedObject} owns, which also owns the program's fd.
 * Links made by its {@code attach*} methods are owned by the caller and also registered with
 * the object, which closes (detaches) them when it closes. After the object is closed every
 * method throws IllegalStateException.
 */
public final class BpfProgram {
    /** Program types whose test runs take a packet, which must start with an Ethernet header. */
    private static final java.util.Set<ProgramType> PACKET_TYPES = java.util.EnumSet.of(ProgramType.XDP,
            ProgramType.SCHED_CLS, ProgramType.SCHED_ACT, ProgramType.SOCKET_FILTER, ProgramType.CGROUP_SKB);
    private static final int ETHERNET_HEADER = 14;
    private final MemorySegment program;
    private final Owner object;
    private final String name;
    private final String section;
    /** "object/program", how error messages name this program. */
    private final String target;
    /** Whether an attach of this loaded program succeeded (see {@link #attached}); written under the object's use. */
    private volatile boolean attachedBefore;
    private int id;

    private BpfProgram(MemorySegment program, String objectName, Owner object) {
        this.program = program;
        this.object = object;
        this.name = LibBpfCall.string(LibBpf.bpf_program__name(program));
        this.section = LibBpfCall.string(LibBpf.bpf_program__section_name(program));
        this.target = objectName + "/" + name;
    }

    static {
        Access.register(new Access.Programs() {
            @Override
            public BpfProgram loaded(MemorySegment program, String objectName, Owner object) {
                return of(program, objectName, object);
            }

            @Override
            public OpenedProgram opened(MemorySegment program, Runnable ensureOpen) {
                return OpenedProgram.of(program, ensureOpen);
            }
        });
    }

    /** Wraps a {@code struct bpf_program *} of a loaded object; {@code object} owns the links made here. */
    private static BpfProgram of(MemorySegment program, String objectName, Owner object) {
        Objects.requireNonNull(object, "object").ensureOpen();
        return new BpfProgram(Objects.requireNonNull(program, "program"), objectName, object);
    }

    public String name() {
        object.ensureOpen();
        return name;
    }

    /** Its ELF section, e.g. "tracepoint/syscalls/sys_enter_openat". */
    public String section() {
        object.ensureOpen();
        return section;
    }

    public ProgramType type() {
        try (Owner.Use use = object.use()) {
            return ProgramType.of(LibBpf.bpf_program__type(program));
        }
    }

    /** Whether the program is in the kernel (false when its autoload was off). */
    public boolean isLoaded() {
        try (Owner.Use use = object.use()) {
            return LibBpf.bpf_program__fd(program) >= 0;
        }
    }

    /** The program's fd, owned by the object. IllegalStateException when it was not loaded. */
    public int fd() {
        int fd;
        try (Owner.Use use = object.use()) {
            fd = LibBpf.bpf_program__fd(program);
        }
        if (fd < 0) {
            throw new IllegalStateException("program " + target + " was not loaded (its autoload was off)");
        }
        return fd;
    }

    /** The kernel's id of the program ({@code bpf_prog_info.id}). */
    public synchronized int id() {
        if (id == 0) {
            id = ProgramInfo.idOf(fd(), target);
        }
        object.ensureOpen();
        return id;
    }

    /** What the kernel says about the program now (run counts change, so this is not cached). */
    public ProgramInfo info() {
        return ProgramInfo.ofFd(fd(), target);
    }

    /** Instructions in the program as libbpf loaded it ({@code bpf_program__insn_cnt}). */
    public int instructionCount() {
        try (Owner.Use use = object.use()) {
            return (int) LibBpf.bpf_program__insn_cnt(program);
        }
    }

    /**
     * The verifier's log of this program's load: empty unless its verifier log level was
     * above 0 (a rejection throws a {@code VerifierException} carrying the log instead).
     */
    public String verifierLog() {
        try (Owner.Use use = object.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            String log = LibBpfCall.string(LibBpf.bpf_program__log_buf(program, size));
            return log == null ? "" : log;
        }
    }

    /**
     * Attaches the program where its section says ({@code bpf_program__attach}), e.g.
     * "tracepoint/syscalls/sys_enter_openat" or "raw_tracepoint/sys_enter".
     */
    public BpfLink attach() {
        return attach("attach program", target, () -> LibBpf.bpf_program__attach(program));
    }

    /** Whether libbpf attaches this program (by its section) as a USDT probe: a link without fd. */
    private boolean usdtSection() {
        String section = section();
        return section.equals("usdt") || section.startsWith("usdt/") || section.equals("usdt.s")
                || section.startsWith("usdt.s/");
    }

    /**
     * Attaches the program at an explicit point, e.g. {@code new Tracepoint("syscalls",
     * "sys_enter_openat")}, {@code new RawTracepoint("sys_enter")}, {@code Kprobe.entry("do_sys_openat2")},
     * {@code Uprobe.entry("libc.so.6", "malloc").withPid(pid)}, {@code Usdt.of(binary, provider, name)},
     * {@code new Tracing()} (fentry/fexit/fmod_ret) or {@code new Lsm()}. Points that read a
     * binary (uprobes, USDT) resolve it first and throw their own {@code BpfNotFoundException}
     * for a missing file, symbol or probe.
     */
    public BpfLink attach(AttachPoint point) {
        Objects.requireNonNull(point, "point");
        // in use: a close from another thread waits, so the program stays there while attaching
        try (Owner.Use use = object.use()) {
            fd(); // libbpf cannot attach a program that is not loaded; say so in Java terms
            return attached(() -> Access.links().attach(point, program, target + " to " + point.describe(), object));
        }
    }

    /**
     * Runs one attach and remembers that it succeeded: an fentry, fexit or LSM program that was
     * attached before and is refused with ENOENT met a kernel that hands a loaded tracing
     * program's trampoline to its first attachment only (5.10 does; later kernels attach it
     * again), which the error then says.
     */
    private BpfLink attached(Supplier<BpfLink> attach) {
        try {
            BpfLink link = attach.get();
            attachedBefore = true;
            return link;
        } catch (BpfNotFoundException e) {
            if (attachedBefore && (type() == ProgramType.TRACING || type() == ProgramType.LSM)) {
                throw new BpfException(e.operation(), e.target(), e.errno(), "this kernel attaches a loaded "
                        + type().name().toLowerCase(java.util.Locale.ROOT) + " program only once (its trampoline went to the"
                        + " first attachment; newer kernels attach it again): load the object again to attach it again", e);
            }
            throw e;
        }
    }

    private BpfLink attach(String operation, String description, Supplier<MemorySegment> call) {
        try (Owner.Use use = object.use()) {
            fd(); // libbpf cannot attach a program that is not loaded; say so in Java terms
            return attached(() -> Access.links().adopt(LibBpfCall.checkNonNull(operation, description, call),
                    "link of " + description, object, usdtSection()));
        }
    }

    /**
     * Runs the program once or {@code repeat} times in the kernel on the given input, without
     * attaching it ({@code bpf_prog_test_run_opts}): for XDP, tc and socket programs on a
     * packet, for raw tracepoint and syscall programs on a context. The output buffers are
     * sized from the options ({@link TestRunOptions#effectiveDataOutCapacity()}), never
     * passed with a zero size (which the kernel would take as unlimited). With
     * {@code contextOutCapacity} AUTO, programs whose type refuses an output context (raw
     * tracepoint, tracing, syscall) get none; a syscall program's {@code contextOut} is its
     * context as the program left it (the kernel writes it back to the input).
     *
     * @throws BpfException naming the program when the kernel refuses: ENOTSUPP for program
     *     types that cannot be test-run (kprobes, tracepoints), EINVAL for input the type does
     *     not take, ENOSPC (saying how many bytes were needed) when the output did not fit
     */
    public TestRunResult testRun(TestRunOptions options) {
        Objects.requireNonNull(options, "options");
        try (Owner.Use use = object.use()) {
            return testRun(options, fd());
        }
    }

    private TestRunResult testRun(TestRunOptions options, int fd) {
        byte[] data = options.data();
        byte[] context = options.context();
        int dataOutCapacity = options.effectiveDataOutCapacity();
        ProgramType type = type();
        if (PACKET_TYPES.contains(type) && (data == null || data.length < ETHERNET_HEADER)) {
            // the kernel's answer would be a bare EINVAL
            throw new IllegalArgumentException("test run of " + type.displayName() + " program " + target
                    + " needs at least " + ETHERNET_HEADER + " bytes of packet data (an Ethernet header), got "
                    + (data == null ? 0 : data.length));
        }
        // These types take a context but refuse ctx_out (EINVAL); a syscall program's context is
        // copied back into ctx_in instead, which is read back below.
        boolean noContextOut = type == ProgramType.RAW_TRACEPOINT || type == ProgramType.RAW_TRACEPOINT_WRITABLE
                || type == ProgramType.SYSCALL || type == ProgramType.TRACING;
        int contextOutCapacity = options.contextOutCapacity() == TestRunOptions.AUTO && noContextOut ? 0
                : options.effectiveContextOutCapacity();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_test_run_opts.allocate(arena); // zeroed: unused fields stay 0
            bpf_test_run_opts.sz(opts, bpf_test_run_opts.sizeof());
            if (data != null && data.length > 0) {
                bpf_test_run_opts.data_in(opts, arena.allocateFrom(ValueLayout.JAVA_BYTE, data));
                bpf_test_run_opts.data_size_in(opts, data.length);
            }
            MemorySegment dataOut = dataOutCapacity > 0 ? arena.allocate(dataOutCapacity) : MemorySegment.NULL;
            if (dataOutCapacity > 0) {
                bpf_test_run_opts.data_out(opts, dataOut);
                bpf_test_run_opts.data_size_out(opts, dataOutCapacity);
            }
            MemorySegment contextIn = MemorySegment.NULL;
            if (context != null && context.length > 0) {
                contextIn = arena.allocateFrom(ValueLayout.JAVA_BYTE, context);
                bpf_test_run_opts.ctx_in(opts, contextIn);
                bpf_test_run_opts.ctx_size_in(opts, context.length);
            }
            MemorySegment contextOut = contextOutCapacity > 0 ? arena.allocate(contextOutCapacity) : MemorySegment.NULL;
            if (contextOutCapacity > 0) {
                bpf_test_run_opts.ctx_out(opts, contextOut);
                bpf_test_run_opts.ctx_size_out(opts, contextOutCapacity);
            }
            bpf_test_run_opts.repeat(opts, options.repeat());
            bpf_test_run_opts.flags(opts, options.flags());
            bpf_test_run_opts.cpu(opts, options.cpu());
            bpf_test_run_opts.batch_size(opts, options.batchSize());

            LibBpfLog.begin();
            int result = LibBpf.bpf_prog_test_run_opts(fd, opts);
            if (result < 0) {
                int errno = -result;
                String detail = LibBpfLog.explanation();
                if (errno == Errno.ENOSPC) {
                    detail = "the output needs " + Integer.toUnsignedLong(bpf_test_run_opts.data_size_out(opts))
                            + " bytes of data (capacity " + dataOutCapacity + ") and "
                            + Integer.toUnsignedLong(bpf_test_run_opts.ctx_size_out(opts)) + " of context (capacity "
                            + contextOutCapacity + "): raise dataOutCapacity or contextOutCapacity";
                }
                throw BpfException.of("test run program", target, errno, detail);
            }
            int dataOutSize = Math.min(bpf_test_run_opts.data_size_out(opts), dataOutCapacity);
            int contextOutSize = Math.min(bpf_test_run_opts.ctx_size_out(opts), contextOutCapacity);
            byte[] contextResult;
            if (type == ProgramType.SYSCALL && !contextIn.equals(MemorySegment.NULL)) {
                contextResult = contextIn.toArray(ValueLayout.JAVA_BYTE);
            } else {
                contextResult = contextOutSize > 0 ? contextOut.asSlice(0, contextOutSize).toArray(ValueLayout.JAVA_BYTE)
                        : new byte[0];
            }
            return new TestRunResult(bpf_test_run_opts.retval(opts),
                    Integer.toUnsignedLong(bpf_test_run_opts.duration(opts)),
                    dataOutSize > 0 ? dataOut.asSlice(0, dataOutSize).toArray(ValueLayout.JAVA_BYTE) : new byte[0],
                    contextResult);
        }
    }

    /**
     * Pins the program at {@code path} on bpffs ({@code bpf_program__pin}), creating missing
     * parent directories; the pin keeps the program in the kernel after this process.
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        fd();
        BpfFs.preparePin(path);
        try (Owner.Use use = object.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            LibBpfCall.check("pin program", target + " at " + path, () -> LibBpf.bpf_program__pin(program, cPath));
        }
    }

    /** Removes a pin made by {@link #pin} ({@code bpf_program__unpin}). */
    public void unpin(Path path) {
        Objects.requireNonNull(path, "path");
        fd();
        try (Owner.Use use = object.use(); Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            LibBpfCall.check("unpin program", target + " at " + path, () -> LibBpf.bpf_program__unpin(program, cPath));
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + target + ", " + section + "]";
    }
}
