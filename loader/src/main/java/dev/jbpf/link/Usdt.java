package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_usdt_opts;
import dev.jbpf.elf.Binaries;
import dev.jbpf.elf.ElfFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A USDT probe ({@code DTRACE_PROBE*} of {@code <sys/sdt.h>}) of a binary, through
 * {@code bpf_program__attach_usdt}: {@code Usdt.of("/usr/bin/python3", "python", "function__entry")}.
 * The program must include {@code <bpf/usdt.bpf.h>} (its {@code BPF_USDT} macro reads the
 * probe's arguments). jbpf resolves the binary and checks the probe exists (offering the closest
 * names) before any native call; {@link dev.jbpf.elf.UsdtProbes} lists the probes of a binary or
 * a process. With a pid, the kernel counts the hits of that process only. The link is libbpf's
 * set of uprobes, one per call site: no kernel link ({@link BpfLink#isKernelLink()} is false), it
 * cannot be pinned. Holds no native memory.
 *
 * @param binary a path, a library name or a program name, as for {@link Uprobe}
 * @param provider the probe's provider
 * @param name the probe's name
 * @param pid the process to trace: -1 every process, 0 this one
 * @param cookie a value the program reads with {@code bpf_usdt_cookie()}
 */
public record Usdt(String binary, String provider, String name, int pid, long cookie) implements AttachPoint {
    public Usdt {
        AttachPoints.requireName(binary, "USDT binary");
        ProbeArguments.requireSymbol(provider, "USDT provider");
        ProbeArguments.requireSymbol(name, "USDT probe name");
        ProbeArguments.requirePid(pid);
    }

    /** The probe {@code provider:name} of {@code binary}, every process. */
    public static Usdt of(String binary, String provider, String name) {
        return new Usdt(binary, provider, name, Uprobe.ALL_PROCESSES, 0);
    }

    /** The probe {@code provider:name} of the file {@code binary}, every process. */
    public static Usdt of(Path binary, String provider, String name) {
        return of(Uprobe.pathName(binary), provider, name);
    }

    public Usdt withPid(int pid) {
        return new Usdt(binary, provider, name, pid, cookie);
    }

    public Usdt withCookie(long cookie) {
        return new Usdt(binary, provider, name, pid, cookie);
    }

    @Override
    public String describe() {
        return "usdt " + binary + ":" + provider + ":" + name + ProbeArguments.pidSuffix(pid)
                + ProbeArguments.cookieSuffix(cookie);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        Path file = Binaries.resolve(binary);
        ElfFile.read(file).usdtProbe(provider, name); // a clear not-found message, listing the probes there
        MemorySegment opts = bpf_usdt_opts.allocate(arena);
        bpf_usdt_opts.sz(opts, bpf_usdt_opts.sizeof());
        bpf_usdt_opts.usdt_cookie(opts, cookie);
        return request.libbpfUsdtLink(() -> LibBpf.bpf_program__attach_usdt(program, pid, arena.allocateFrom(file.toString()),
                arena.allocateFrom(provider), arena.allocateFrom(name), opts));
    }
}
