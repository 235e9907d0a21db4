package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.Owner;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * One attach call of {@code BpfProgram.attach(AttachPoint)} as an {@link AttachPoint} sees it:
 * the loaded {@code struct bpf_program *}, scratch memory for the call, and the ways to turn
 * what the point attached into the {@link BpfLink} that owns it.
 * Owns nothing itself; the arena belongs to the caller and closes when the call returns.
 */
final class AttachRequest {
    private final MemorySegment program;
    private final Arena arena;
    private final String description;
    private final Owner owner;

    /**
     * @param program the loaded program
     * @param arena scratch memory living as long as the attach call
     * @param description how messages name the attachment, e.g. "trace/count to tracepoint a/b"
     * @param owner the object the new link registers with (closed with it), or null
     */
    AttachRequest(MemorySegment program, Arena arena, String description, Owner owner) {
        this.program = program;
        this.arena = arena;
        this.description = description;
        this.owner = owner;
    }

    MemorySegment program() {
        return program;
    }

    Arena arena() {
        return arena;
    }

    String description() {
        return description;
    }

    /**
     * Runs a libbpf attach function (NULL with errno set on failure) and wraps the
     * {@code struct bpf_link *} it returned.
     */
    BpfLink libbpfLink(Supplier<MemorySegment> call) {
        MemorySegment link = LibBpfCall.checkNonNull("attach program", description, call);
        return BpfLink.adopt(link, "link of " + description, owner);
    }

    /** {@link #libbpfLink} for {@code bpf_program__attach_usdt}, whose link has no fd of its own. */
    BpfLink libbpfUsdtLink(Supplier<MemorySegment> call) {
        MemorySegment link = LibBpfCall.checkNonNull("attach program", description, call);
        return BpfLink.adoptUsdt(link, "link of " + description, owner);
    }

    /** The failure of this attach call, with errno (positive or negative) and libbpf's explanation. */
    BpfException failure(int errno) {
        return LibBpfCall.failure("attach program", description, Math.abs(errno));
    }

    /** Wraps the fd of a kernel link made with bpf_link_create, or throws when it is a negative errno. */
    BpfLink kernelLinkFd(int fdOrNegativeErrno) {
        if (fdOrNegativeErrno < 0) {
            throw failure(fdOrNegativeErrno);
        }
        return BpfLink.ofKernelLinkFd(fdOrNegativeErrno, "link of " + description, owner);
    }

    /** Wraps an attachment that is not a kernel link ({@code kind} says what it is); detach removes it. */
    BpfLink detachable(String kind, Runnable detach) {
        return BpfLink.ofDetach(kind, detach, "link of " + description, owner);
    }

    /** Attaches the request's program at {@code point}: each kind of point knows its libbpf or kernel call. */
    BpfLink attachAt(AttachPoint point) {
        return switch (point) {
            case Cgroup cgroup -> cgroup.attach(this);
            case Kprobe kprobe -> kprobe.attach(this);
            case KprobeMulti kprobes -> kprobes.attach(this);
            case Ksyscall ksyscall -> ksyscall.attach(this);
            case Lsm lsm -> lsm.attach(this);
            case PerfEventAttach perfEvent -> perfEvent.attach(this);
            case RawTracepoint rawTracepoint -> rawTracepoint.attach(this);
            case Tc tc -> tc.attach(this);
            case Tracepoint tracepoint -> tracepoint.attach(this);
            case Tracing tracing -> tracing.attach(this);
            case Uprobe uprobe -> uprobe.attach(this);
            case UprobeMulti uprobes -> uprobes.attach(this);
            case Usdt usdt -> usdt.attach(this);
            case Xdp xdp -> xdp.attach(this);
        };
    }
}
