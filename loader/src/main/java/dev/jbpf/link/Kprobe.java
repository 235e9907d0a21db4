package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_kprobe_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A kprobe (or kretprobe) on a kernel function, through {@code bpf_program__attach_kprobe_opts}:
 * {@code Kprobe.entry("do_sys_openat2")}, {@code Kprobe.ret("do_sys_openat2")},
 * {@code Kprobe.entry("tcp_v4_connect").withOffset(4).withCookie(42)}. Holds no native memory.
 *
 * @param function the kernel symbol, as in /proc/kallsyms
 * @param offset bytes into the function (an instruction boundary; 0 for the entry); kretprobes
 *     take none
 * @param cookie a value the program reads with {@code bpf_get_attach_cookie()}
 * @param retprobe true for a kretprobe, which runs when the function returns
 */
public record Kprobe(String function, long offset, long cookie, boolean retprobe) implements AttachPoint {
    public Kprobe {
        ProbeArguments.requireSymbol(function, "kprobe function");
        ProbeArguments.requireOffset(offset, "kprobe offset");
        if (retprobe && offset != 0) {
            throw new IllegalArgumentException("a kretprobe attaches to the whole function: offset must be 0, was "
                    + offset);
        }
    }

    /** A kprobe at the function's entry. */
    public static Kprobe entry(String function) {
        return new Kprobe(function, 0, 0, false);
    }

    /** A kretprobe: runs when the function returns, its return value in the registers. */
    public static Kprobe ret(String function) {
        return new Kprobe(function, 0, 0, true);
    }

    public Kprobe withOffset(long offset) {
        return new Kprobe(function, offset, cookie, retprobe);
    }

    public Kprobe withCookie(long cookie) {
        return new Kprobe(function, offset, cookie, retprobe);
    }

    @Override
    public String describe() {
        return (retprobe ? "kretprobe " : "kprobe ") + function + (offset == 0 ? "" : "+0x" + Long.toHexString(offset))
                + ProbeArguments.cookieSuffix(cookie);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        MemorySegment opts = bpf_kprobe_opts.allocate(arena);
        bpf_kprobe_opts.sz(opts, bpf_kprobe_opts.sizeof());
        bpf_kprobe_opts.bpf_cookie(opts, cookie);
        bpf_kprobe_opts.offset(opts, offset);
        bpf_kprobe_opts.retprobe(opts, retprobe);
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_kprobe_opts(program, arena.allocateFrom(function), opts));
    }
}
