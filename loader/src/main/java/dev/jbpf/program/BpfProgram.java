package dev.jbpf.program;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.LibBpfCall;
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
    private final MemorySegment program;
    private final Owner object;
    private final String name;
    private final String section;
    /** "object/program", how error messages name this program. */
    private final String target;
    private int id;

    private BpfProgram(MemorySegment program, String objectName, Owner object) {
        this.program = program;
        this.object = object;
        this.name = LibBpfCall.string(LibBpf.bpf_program__name(program));
        this.section = LibBpfCall.string(LibBpf.bpf_program__section_name(program));
        this.target = objectName + "/" + name;
    }

    /**
     * Internal, not API: wraps a {@code struct bpf_program *} of a loaded object;
     * {@code object} is the object's state, which owns the links made here.
     */
    public static BpfProgram of(MemorySegment program, String objectName, Owner object) {
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
        object.ensureOpen();
        return ProgramType.of(LibBpf.bpf_program__type(program));
    }

    /** Whether the program is in the kernel (false when its autoload was off). */
    public boolean isLoaded() {
        object.ensureOpen();
        return LibBpf.bpf_program__fd(program) >= 0;
    }

    /** The program's fd, owned by the object. IllegalStateException when it was not loaded. */
    public int fd() {
        object.ensureOpen();
        int fd = LibBpf.bpf_program__fd(program);
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
        object.ensureOpen();
        return (int) LibBpf.bpf_program__insn_cnt(program);
    }

    /**
     * The verifier's log of this program's load: empty unless its verifier log level was
     * above 0 (a rejection throws a {@code VerifierException} carrying the log instead).
     */
    public String verifierLog() {
        object.ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
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

    /**
     * Attaches the program at an explicit point, e.g. {@code new Tracepoint("syscalls",
     * "sys_enter_openat")} or {@code new RawTracepoint("sys_enter")}.
     */
    public BpfLink attach(AttachPoint point) {
        Objects.requireNonNull(point, "point");
        try (Arena arena = Arena.ofConfined()) {
            return attach("attach program", target + " to " + point.describe(), () -> point.attach(program, arena));
        }
    }

    private BpfLink attach(String operation, String description, Supplier<MemorySegment> call) {
        fd(); // libbpf cannot attach a program that is not loaded; say so in Java terms
        MemorySegment link = LibBpfCall.checkNonNull(operation, description, call);
        return BpfLink.adopt(link, "link of " + description, object);
    }

    /**
     * Pins the program at {@code path} on bpffs ({@code bpf_program__pin}), creating missing
     * parent directories; the pin keeps the program in the kernel after this process.
     */
    public void pin(Path path) {
        Objects.requireNonNull(path, "path");
        fd();
        BpfFs.preparePin(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            LibBpfCall.check("pin program", target + " at " + path, () -> LibBpf.bpf_program__pin(program, cPath));
        }
    }

    /** Removes a pin made by {@link #pin} ({@code bpf_program__unpin}). */
    public void unpin(Path path) {
        Objects.requireNonNull(path, "path");
        fd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            LibBpfCall.check("unpin program", target + " at " + path, () -> LibBpf.bpf_program__unpin(program, cPath));
        }
    }

    @Override
    public String toString() {
        return "BpfProgram[" + target + ", " + section + "]";
    }
}
