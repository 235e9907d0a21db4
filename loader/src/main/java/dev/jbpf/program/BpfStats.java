package dev.jbpf.program;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfCall;

/**
 * Kernel BPF run-time statistics switched on while this is open ({@code BPF_ENABLE_STATS} with
 * {@code BPF_STATS_RUN_TIME}): the kernel then counts every program's runs and their time, which
 * {@link ProgramInfo#runCount()} and {@link ProgramInfo#runTimeNs()} report. Counting costs a
 * little on every run, so the kernel keeps it on only while some holder (this fd, or the
 * {@code kernel.bpf_stats_enabled} sysctl) wants it. Owns that fd; {@link #close()} releases it.
 */
public final class BpfStats implements AutoCloseable {
    private final Fd fd;

    private BpfStats(Fd fd) {
        this.fd = fd;
    }

    /** Turns statistics on until {@link #close()}; without CAP_SYS_ADMIN → BpfPermissionException. */
    public static BpfStats enable() {
        int fd = LibBpfCall.check("enable BPF statistics", "BPF_STATS_RUN_TIME",
                () -> LibBpf.bpf_enable_stats(BpfConstants.BPF_STATS_RUN_TIME));
        return new BpfStats(Fd.adopt(fd));
    }

    @Override
    public void close() {
        fd.close();
    }
}
