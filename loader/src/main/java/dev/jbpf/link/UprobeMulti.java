package dev.jbpf.link;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_uprobe_multi_opts;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Many uprobes on one binary in one link ({@code bpf_program__attach_uprobe_multi}, kernel
 * 6.6+): on every function matching a glob ({@code UprobeMulti.matching("libc.so.6", "getp*id")})
 * or on a list of functions with optional cookies. jbpf resolves the binary and the functions
 * itself and passes libbpf their file offsets. The program's section should be
 * {@code uprobe.multi} (or {@code uretprobe.multi}). Holds no native memory.
 *
 * @param binary a path, a library name ({@code libc.so.6}) or a program name, as for {@link Uprobe}
 * @param pattern a glob over the binary's function names, or null when {@code symbols} is given
 * @param symbols the functions (names may carry a version), or empty when {@code pattern} is given
 * @param cookies empty, or one per symbol (read with {@code bpf_get_attach_cookie()})
 * @param pid the process to trace: -1 every process, 0 this one
 * @param retprobe true to run when the functions return
 */
public record UprobeMulti(String binary, String pattern, List<String> symbols, List<Long> cookies, int pid,
        boolean retprobe) implements AttachPoint {
    public UprobeMulti {
        AttachPoints.requireName(binary, "uprobe.multi binary");
        symbols = symbols == null ? List.of() : ProbeArguments.symbols(symbols, "uprobe.multi symbols");
        if ((pattern == null) == symbols.isEmpty()) {
            throw new IllegalArgumentException("give either a pattern or a non-empty list of symbols"
                    + (pattern == null ? "" : ", not both"));
        }
        if (pattern != null) {
            ProbeArguments.requireSymbol(pattern, "uprobe.multi pattern");
        }
        cookies = ProbeArguments.cookies(cookies, symbols.size(), "symbol (a pattern takes no cookies)");
        ProbeArguments.requirePid(pid);
    }

    /** Every function of {@code binary} whose name matches the glob, every process. */
    public static UprobeMulti matching(String binary, String pattern) {
        return new UprobeMulti(binary, pattern, List.of(), List.of(), Uprobe.ALL_PROCESSES, false);
    }

    /** These functions of {@code binary}, every process. */
    public static UprobeMulti of(String binary, List<String> symbols) {
        return new UprobeMulti(binary, null, symbols, List.of(), Uprobe.ALL_PROCESSES, false);
    }

    /** These functions of the file {@code binary}, every process. */
    public static UprobeMulti of(Path binary, List<String> symbols) {
        return of(Uprobe.pathName(binary), symbols);
    }

    public UprobeMulti withCookies(List<Long> cookies) {
        return new UprobeMulti(binary, pattern, symbols, cookies, pid, retprobe);
    }

    public UprobeMulti withPid(int pid) {
        return new UprobeMulti(binary, pattern, symbols, cookies, pid, retprobe);
    }

    public UprobeMulti withRetprobe(boolean retprobe) {
        return new UprobeMulti(binary, pattern, symbols, cookies, pid, retprobe);
    }

    /** The resolved file and the file offsets that {@link #attach} will probe, in order. */
    public record Locations(Path file, List<ElfSymbol> functions, List<Long> fileOffsets) {
        public Locations {
            functions = List.copyOf(functions);
            fileOffsets = List.copyOf(fileOffsets);
        }
    }

    /**
     * Finds the file and the functions' offsets, as {@link #attach} will.
     *
     * @throws BpfNotFoundException when the binary, a symbol, or any match of the pattern is missing
     */
    public Locations resolve() {
        Path file = Binaries.resolve(binary);
        ElfFile elf = ElfFile.read(file);
        List<ElfSymbol> functions;
        if (pattern != null) {
            functions = elf.functionsMatching(pattern);
            if (functions.isEmpty()) {
                throw new BpfNotFoundException("resolve uprobe.multi", pattern + " in " + file,
                        "no function matches the pattern");
            }
        } else {
            functions = new ArrayList<>();
            for (String symbol : symbols) {
                functions.add(elf.function(symbol));
            }
        }
        List<Long> offsets = functions.stream().map(f -> elf.fileOffset(f.address())).toList();
        return new Locations(file, functions, offsets);
    }

    @Override
    public String describe() {
        String what = pattern != null ? pattern : symbols.size() <= 3 ? String.join(",", symbols)
                : String.join(",", symbols.subList(0, 3)) + ",... (" + symbols.size() + " functions)";
        return (retprobe ? "uretprobe.multi " : "uprobe.multi ") + binary + ":" + what + ProbeArguments.pidSuffix(pid);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        Locations locations = resolve();
        MemorySegment opts = bpf_uprobe_multi_opts.allocate(arena);
        bpf_uprobe_multi_opts.sz(opts, bpf_uprobe_multi_opts.sizeof());
        bpf_uprobe_multi_opts.offsets(opts, ProbeArguments.longArray(locations.fileOffsets(), arena));
        bpf_uprobe_multi_opts.cnt(opts, locations.fileOffsets().size());
        bpf_uprobe_multi_opts.retprobe(opts, retprobe);
        if (!cookies.isEmpty()) {
            bpf_uprobe_multi_opts.cookies(opts, ProbeArguments.longArray(cookies, arena));
        }
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_uprobe_multi(program, pid, arena.allocateFrom(locations.file().toString()),
                MemorySegment.NULL, opts));
    }
}
