package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_uprobe_opts;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A uprobe (or uretprobe) on a function of a user-space binary, through
 * {@code bpf_program__attach_uprobe_opts}: {@code Uprobe.entry("libc.so.6", "malloc")},
 * {@code Uprobe.ret(Path.of("/usr/bin/bash"), "readline").withPid(1234)}.
 *
 * <p>jbpf resolves the binary and the symbol itself ({@link dev.jbpf.elf.Binaries},
 * {@link dev.jbpf.elf.ElfFile}) and hands libbpf a file offset, so a missing file or symbol
 * fails with jbpf's message (listing similar symbols) before any native call; {@link #resolve()}
 * shows where a probe would go. Holds no native memory.
 *
 * @param binary a path ({@code /usr/bin/bash}, {@code ./app}), a library name resolved like the
 *     dynamic linker does ({@code libc.so.6}), or a program name found on PATH
 * @param symbol the function ({@code "malloc"}, or versioned {@code "malloc@@GLIBC_2.2.5"}), or
 *     null to probe the file offset {@code offset}
 * @param offset bytes past the function's start (an instruction boundary), or the file offset
 *     itself when {@code symbol} is null
 * @param pid the process to trace: -1 every process ({@link #ALL_PROCESSES}), 0 this one
 * @param cookie a value the program reads with {@code bpf_get_attach_cookie()}
 * @param retprobe true for a uretprobe, which runs when the function returns
 */
public record Uprobe(String binary, String symbol, long offset, int pid, long cookie, boolean retprobe)
        implements AttachPoint {
    /** {@code pid} for every process that runs the binary. */
    public static final int ALL_PROCESSES = -1;

    public Uprobe {
        AttachPoints.requireName(binary, "uprobe binary");
        if (symbol != null) {
            ProbeArguments.requireSymbol(symbol, "uprobe symbol");
        }
        ProbeArguments.requireOffset(offset, symbol == null ? "uprobe file offset" : "uprobe offset");
        ProbeArguments.requirePid(pid);
        if (retprobe && symbol != null && offset != 0) {
            throw new IllegalArgumentException("a uretprobe must be at the function's entry (the return address is "
                    + "only on top of the stack there): offset must be 0, was " + offset);
        }
    }

    /** Where a uprobe goes: the binary's file and the offset in it. */
    public record Location(Path file, long fileOffset) {
        public Location {
            Objects.requireNonNull(file, "file");
        }
    }

    /** A uprobe at the entry of {@code symbol} in {@code binary} (path or library name), every process. */
    public static Uprobe entry(String binary, String symbol) {
        return new Uprobe(binary, Objects.requireNonNull(symbol, "symbol"), 0, ALL_PROCESSES, 0, false);
    }

    /** A uprobe at the entry of {@code symbol} in the file {@code binary}, every process. */
    public static Uprobe entry(Path binary, String symbol) {
        return entry(pathName(binary), symbol);
    }

    /** A uretprobe on {@code symbol}: runs when it returns, its return value in the registers. */
    public static Uprobe ret(String binary, String symbol) {
        return new Uprobe(binary, Objects.requireNonNull(symbol, "symbol"), 0, ALL_PROCESSES, 0, true);
    }

    /** A uretprobe on {@code symbol} in the file {@code binary}. */
    public static Uprobe ret(Path binary, String symbol) {
        return ret(pathName(binary), symbol);
    }

    /** A uprobe at a file offset of {@code binary} (e.g. from {@code ElfFile.fileOffsetOf}). */
    public static Uprobe atFileOffset(Path binary, long fileOffset) {
        return new Uprobe(pathName(binary), null, fileOffset, ALL_PROCESSES, 0, false);
    }

    public Uprobe withOffset(long offset) {
        return new Uprobe(binary, symbol, offset, pid, cookie, retprobe);
    }

    public Uprobe withPid(int pid) {
        return new Uprobe(binary, symbol, offset, pid, cookie, retprobe);
    }

    public Uprobe withCookie(long cookie) {
        return new Uprobe(binary, symbol, offset, pid, cookie, retprobe);
    }

    public Uprobe withRetprobe(boolean retprobe) {
        return new Uprobe(binary, symbol, offset, pid, cookie, retprobe);
    }

    /** A Path as a binary name that is always taken as a path (never as a library or program name). */
    static String pathName(Path binary) {
        Objects.requireNonNull(binary, "binary");
        return binary.isAbsolute() || binary.toString().contains("/") ? binary.toString()
                : Path.of(".").resolve(binary).toString();
    }

    /**
     * Finds the file and the offset in it, as {@link #attach} will. Reads the binary's ELF
     * headers and symbols.
     *
     * @throws dev.jbpf.BpfNotFoundException when the binary or the symbol does not exist
     * @throws BpfException when the binary is not ELF64, or the offset is past the function
     */
    public Location resolve() {
        Path file = Binaries.resolve(binary);
        if (symbol == null) {
            return new Location(file, offset);
        }
        ElfFile elf = ElfFile.read(file);
        ElfSymbol function = elf.function(symbol);
        if (function.size() > 0 && offset >= function.size()) {
            throw new BpfException("resolve uprobe", describe(), "offset " + offset + " is past the end of "
                    + function.qualifiedName() + " (" + function.size() + " bytes)");
        }
        return new Location(file, elf.fileOffset(function.address()) + offset);
    }

    @Override
    public String describe() {
        String where = symbol == null ? "0x" + Long.toHexString(offset)
                : symbol + (offset == 0 ? "" : "+0x" + Long.toHexString(offset));
        return (retprobe ? "uretprobe " : "uprobe ") + binary + ":" + where + ProbeArguments.pidSuffix(pid)
                + ProbeArguments.cookieSuffix(cookie);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        Location location = resolve();
        MemorySegment opts = bpf_uprobe_opts.allocate(arena);
        bpf_uprobe_opts.sz(opts, bpf_uprobe_opts.sizeof());
        bpf_uprobe_opts.bpf_cookie(opts, cookie);
        bpf_uprobe_opts.retprobe(opts, retprobe);
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_uprobe_opts(program, pid, arena.allocateFrom(location.file().toString()),
                location.fileOffset(), opts));
    }
}
