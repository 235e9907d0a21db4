package dev.jbpf.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where a program attaches: one implementation per attach kind ({@link Tracepoint},
 * {@link RawTracepoint}, ...), passed to {@code BpfProgram.attach(AttachPoint)}, which gives
 * the {@link BpfLink} that owns the attachment.
 *
 * <p>Implementations are plain values holding no native memory; {@link #attach} allocates
 * what the libbpf call needs in the arena it is given, which lives only for that call.
 */
public interface AttachPoint {
    /** How error messages name this point, e.g. "tracepoint syscalls/sys_enter_openat". */
    String describe();

    /**
     * Internal, called by {@code BpfProgram}: attaches the loaded {@code struct bpf_program *}
     * here through libbpf and returns the new {@code struct bpf_link *}, or NULL with errno
     * set (libbpf's convention), which the caller turns into an exception.
     */
    MemorySegment attach(MemorySegment program, Arena arena);
}
