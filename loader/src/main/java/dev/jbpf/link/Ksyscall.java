package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_ksyscall_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A kprobe on a system call by its portable name ({@code new Ksyscall("openat")}), through
 * {@code bpf_program__attach_ksyscall}: libbpf finds the kernel's architecture-specific entry
 * ({@code __x64_sys_openat}, ...). The program should be written with {@code BPF_KSYSCALL}.
 * Holds no native memory.
 *
 * @param syscall the system call's name without any prefix ("openat")
 * @param cookie a value the program reads with {@code bpf_get_attach_cookie()}
 * @param retprobe true to run when the system call returns
 */
public record Ksyscall(String syscall, long cookie, boolean retprobe) implements AttachPoint {
    public Ksyscall {
        ProbeArguments.requireSymbol(syscall, "system call name");
    }

    /** At the system call's entry. */
    public Ksyscall(String syscall) {
        this(syscall, 0, false);
    }

    public Ksyscall withCookie(long cookie) {
        return new Ksyscall(syscall, cookie, retprobe);
    }

    public Ksyscall withRetprobe(boolean retprobe) {
        return new Ksyscall(syscall, cookie, retprobe);
    }

    @Override
    public String describe() {
        return (retprobe ? "kretsyscall " : "ksyscall ") + syscall + ProbeArguments.cookieSuffix(cookie);
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        MemorySegment opts = bpf_ksyscall_opts.allocate(arena);
        bpf_ksyscall_opts.sz(opts, bpf_ksyscall_opts.sizeof());
        bpf_ksyscall_opts.bpf_cookie(opts, cookie);
        bpf_ksyscall_opts.retprobe(opts, retprobe);
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_ksyscall(program, arena.allocateFrom(syscall), opts));
    }
}
