package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_kprobe_multi_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Many kprobes in one link ({@code bpf_program__attach_kprobe_multi_opts}, kernel 5.18+ with
 * CONFIG_FPROBE): on every kernel function matching a glob ({@code KprobeMulti.matching("tcp_v4_*")})
 * or on a list of functions, optionally with one cookie each. The program's section should be
 * {@code kprobe.multi} (or {@code kretprobe.multi}). Holds no native memory.
 *
 * @param pattern a glob over kernel function names ({@code *}, {@code ?}), or null when
 *     {@code symbols} is given
 * @param symbols the functions, or an empty list when {@code pattern} is given
 * @param cookies empty, or one per symbol (read with {@code bpf_get_attach_cookie()}); a pattern
 *     takes none, since its functions are not known in advance
 * @param retprobe true to run when the functions return
 */
public record KprobeMulti(String pattern, List<String> symbols, List<Long> cookies, boolean retprobe)
        implements AttachPoint {
    public KprobeMulti {
        symbols = symbols == null ? List.of() : ProbeArguments.symbols(symbols, "kprobe.multi symbols");
        if ((pattern == null) == symbols.isEmpty()) {
            throw new IllegalArgumentException("give either a pattern or a non-empty list of symbols"
                    + (pattern == null ? "" : ", not both"));
        }
        if (pattern != null) {
            ProbeArguments.requireSymbol(pattern, "kprobe.multi pattern");
        }
        cookies = ProbeArguments.cookies(cookies, symbols.size(), "symbol (a pattern takes no cookies)");
    }

    /** Every kernel function matching the glob. */
    public static KprobeMulti matching(String pattern) {
        return new KprobeMulti(pattern, List.of(), List.of(), false);
    }

    /** These kernel functions. */
    public static KprobeMulti of(List<String> symbols) {
        return new KprobeMulti(null, symbols, List.of(), false);
    }

    /** These kernel functions. */
    public static KprobeMulti of(String... symbols) {
        return of(List.of(symbols));
    }

    public KprobeMulti withCookies(List<Long> cookies) {
        return new KprobeMulti(pattern, symbols, cookies, retprobe);
    }

    public KprobeMulti withRetprobe(boolean retprobe) {
        return new KprobeMulti(pattern, symbols, cookies, retprobe);
    }

    @Override
    public String describe() {
        String what = pattern != null ? pattern : symbols.size() <= 3 ? String.join(",", symbols)
                : String.join(",", symbols.subList(0, 3)) + ",... (" + symbols.size() + " functions)";
        return (retprobe ? "kretprobe.multi " : "kprobe.multi ") + what;
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        MemorySegment opts = bpf_kprobe_multi_opts.allocate(arena);
        bpf_kprobe_multi_opts.sz(opts, bpf_kprobe_multi_opts.sizeof());
        bpf_kprobe_multi_opts.retprobe(opts, retprobe);
        if (pattern != null) {
            return request.libbpfLink(() -> LibBpf.bpf_program__attach_kprobe_multi_opts(program, arena.allocateFrom(pattern), opts));
        }
        bpf_kprobe_multi_opts.syms(opts, ProbeArguments.stringArray(symbols, arena));
        bpf_kprobe_multi_opts.cnt(opts, symbols.size());
        if (!cookies.isEmpty()) {
            bpf_kprobe_multi_opts.cookies(opts, ProbeArguments.longArray(cookies, arena));
        }
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_kprobe_multi_opts(program, MemorySegment.NULL, opts));
    }
}
