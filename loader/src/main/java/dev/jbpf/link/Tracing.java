package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_trace_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The BPF trampoline of a tracing program — fentry, fexit, fmod_ret, tp_btf — through
 * {@code bpf_program__attach_trace(_opts)}. The kernel function (or BTF tracepoint) is fixed
 * when the program loads, from its section ({@code SEC("fexit/do_unlinkat")}), so this point
 * names none. Holds no native memory.
 *
 * @param cookie a value the program reads with {@code bpf_get_attach_cookie()} (kernel 6.4+;
 *     0 for none)
 */
public record Tracing(long cookie) implements AttachPoint {
    /** Without a cookie. */
    public Tracing() {
        this(0);
    }

    @Override
    public String describe() {
        return "trampoline (fentry/fexit/fmod_ret target chosen at load)" + ProbeArguments.cookieSuffix(cookie);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        if (cookie == 0) {
            return request.libbpfLink(() -> LibBpf.bpf_program__attach_trace(program));
        }
        MemorySegment opts = bpf_trace_opts.allocate(arena);
        bpf_trace_opts.sz(opts, bpf_trace_opts.sizeof());
        bpf_trace_opts.cookie(opts, cookie);
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_trace_opts(program, opts));
    }
}
