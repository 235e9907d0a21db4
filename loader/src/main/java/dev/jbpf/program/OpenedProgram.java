package dev.jbpf.program;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A program of an {@code OpenedObject}, before loading: read its name, section and type,
 * choose whether it loads and how much the verifier logs.
 *
 * <p>Native memory: none of its own. It points into the {@code struct bpf_object} its
 * {@code OpenedObject} owns; once that object is loaded or closed, every method throws
 * IllegalStateException.
 */
public final class OpenedProgram {
    /** Highest verifier log level: BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS. */
    static final int MAX_LOG_LEVEL = 7;
    private final MemorySegment program;
    private final Runnable ensureOpen;
    private final String name;
    private final String section;

    private OpenedProgram(MemorySegment program, Runnable ensureOpen) {
        this.program = program;
        this.ensureOpen = ensureOpen;
        this.name = LibBpfCall.string(LibBpf.bpf_program__name(program));
        this.section = LibBpfCall.string(LibBpf.bpf_program__section_name(program));
    }

    /**
     * Wraps a {@code struct bpf_program *} of an open object; {@code ensureOpen} throws
     * IllegalStateException once the object is loaded or closed. Reached through
     * {@code internal.Access.programs()}.
     */
    static OpenedProgram of(MemorySegment program, Runnable ensureOpen) {
        Objects.requireNonNull(ensureOpen, "ensureOpen").run();
        return new OpenedProgram(Objects.requireNonNull(program, "program"), ensureOpen);
    }

    /** The program's name (its C function name). */
    public String name() {
        ensureOpen.run();
        return name;
    }

    /** Its ELF section, e.g. "tracepoint/syscalls/sys_enter_openat". */
    public String section() {
        ensureOpen.run();
        return section;
    }

    /** The type libbpf derived from the section. */
    public ProgramType type() {
        ensureOpen.run();
        return ProgramType.of(LibBpf.bpf_program__type(program));
    }

    /**
     * Sets the program's type before load ({@code bpf_program__set_type}): for a section libbpf
     * does not know (ebpf_exporter's {@code xdp/IFACE}, a tool's own convention), which it would
     * otherwise refuse to load ("missing BPF prog type"). XDP also gets the expected attach type
     * libbpf's own {@code xdp} section gives (BPF_XDP), without which the kernel refuses its link.
     */
    public OpenedProgram type(ProgramType type) {
        java.util.Objects.requireNonNull(type, "type");
        ensureOpen.run();
        LibBpfCall.check("set type of program", name, () -> LibBpf.bpf_program__set_type(program, type.value()));
        if (type == ProgramType.XDP) {
            LibBpfCall.check("set expected attach type of program", name,
                    () -> LibBpf.bpf_program__set_expected_attach_type(program, dev.jbpf.bindings.BpfConstants.BPF_XDP));
        }
        return this;
    }

    /** Whether {@code load()} loads this program into the kernel (default: true). */
    public boolean autoload() {
        ensureOpen.run();
        return LibBpf.bpf_program__autoload(program);
    }

    /** Chooses whether {@code load()} loads this program ({@code bpf_program__set_autoload}). */
    public OpenedProgram autoload(boolean autoload) {
        ensureOpen.run();
        LibBpfCall.check("set autoload of program", name, () -> LibBpf.bpf_program__set_autoload(program, autoload));
        return this;
    }

    /**
     * The verifier's log level for this program: 0 (default) logs only when the verifier
     * rejects it, 1 logs every load, 2 logs every instruction, +4 adds statistics.
     */
    public OpenedProgram verifierLogLevel(int level) {
        if (level < 0 || level > MAX_LOG_LEVEL) {
            throw new IllegalArgumentException("verifier log level must be 0.." + MAX_LOG_LEVEL + ", got " + level);
        }
        ensureOpen.run();
        LibBpfCall.check("set log level of program", name, () -> LibBpf.bpf_program__set_log_level(program, level));
        return this;
    }

    /** Instructions in the program as libbpf holds it ({@code bpf_program__insn_cnt}). */
    public int instructionCount() {
        ensureOpen.run();
        return (int) LibBpf.bpf_program__insn_cnt(program);
    }

    @Override
    public String toString() {
        return "OpenedProgram[" + name + ", " + section + "]";
    }
}
