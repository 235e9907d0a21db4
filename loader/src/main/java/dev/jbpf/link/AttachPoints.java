package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_link_create_opts;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.program.ProgramType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;

/** Argument checks and native helpers shared by the attach points. Owns no native memory. */
final class AttachPoints {
    private AttachPoints() {
    }

    static void requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }

    /**
     * Checks, before any native call, that {@code program} (a loaded {@code struct bpf_program *})
     * has one of the types {@code point} takes; else IllegalArgumentException naming the
     * program, its type and what would fit ({@code hint}).
     */
    static void requireType(MemorySegment program, AttachPoint point, Set<ProgramType> allowed, String hint) {
        ProgramType type = ProgramType.of(LibBpf.bpf_program__type(program));
        if (!allowed.contains(type)) {
            throw new IllegalArgumentException("cannot attach program " + programName(program) + " to "
                    + point.describe() + ": its type is " + type.displayName() + "; " + hint);
        }
    }

    static String programName(MemorySegment program) {
        return LibBpfCall.string(LibBpf.bpf_program__name(program));
    }

    /**
     * {@code bpf_link_create(prog, target, attachType)} with {@code flags}; returns the new
     * link's fd, or a negative errno (errno is set too, libbpf's convention).
     */
    static int linkCreate(MemorySegment program, int target, int attachType, int flags, Arena arena) {
        MemorySegment opts = bpf_link_create_opts.allocate(arena);
        bpf_link_create_opts.sz(opts, bpf_link_create_opts.sizeof());
        bpf_link_create_opts.flags(opts, flags);
        return LibBpf.bpf_link_create(LibBpf.bpf_program__fd(program), target, attachType, opts);
    }
}
