package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_perf_event_opts;
import dev.jbpf.internal.LibC;
import dev.jbpf.perf.PerfEvent;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Attaches a program to an open {@link PerfEvent} ({@code bpf_program__attach_perf_event_opts}).
 * A {@code SEC("perf_event")} program runs on each sample of a sampling event (each overflow
 * of its period or frequency). A tracepoint program attached through a tracepoint event runs
 * on every hit of that tracepoint, whatever task or CPU (the kernel keeps the programs per
 * tracepoint, so one program attaches once per tracepoint: a second time fails with EEXIST),
 * and its return value decides whether the event counts the hit (0 filters it out).
 * {@code cookie} is what the program reads with {@code bpf_get_attach_cookie} (0 = none).
 * Use: {@code program.attach(new PerfEventAttach(event, cookie))}.
 *
 * <p>A value holding no native memory; the event must be open when attaching. libbpf closes
 * the perf event fd it is given when the link is destroyed, so the link gets a duplicate of
 * the event's fd and owns it: the {@link PerfEvent} keeps its own fd. Attaching enables the
 * event; closing the link disables it (the kernel event is shared by both fds) and detaches
 * the program. Closing the PerfEvent first does not detach the program.
 */
public record PerfEventAttach(PerfEvent event, long cookie) implements AttachPoint {
    public PerfEventAttach {
        Objects.requireNonNull(event, "event");
    }

    /** Without a cookie. */
    public PerfEventAttach(PerfEvent event) {
        this(event, 0);
    }

    @Override
    public String describe() {
        return "perf event " + event.description() + (cookie == 0 ? "" : " (cookie 0x" + Long.toHexString(cookie) + ")");
    }

    BpfLink attach(AttachRequest request) {
        int linkFd = LibC.dupCloexec(event.fd());
        if (linkFd < 0) {
            throw BpfException.of("duplicate fd of", describe(), -linkFd, null);
        }
        MemorySegment opts = bpf_perf_event_opts.allocate(request.arena());
        bpf_perf_event_opts.sz(opts, bpf_perf_event_opts.sizeof());
        bpf_perf_event_opts.bpf_cookie(opts, cookie);
        return request.libbpfLink(() -> {
            MemorySegment link = LibBpf.bpf_program__attach_perf_event_opts(request.program(), linkFd, opts);
            if (link.equals(MemorySegment.NULL)) {
                // libbpf keeps the fd only on success; LibBpf.errno() still holds its errno after this libc call
                LibC.close(linkFd);
            }
            return link;
        });
    }
}
