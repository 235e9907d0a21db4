package dev.jbpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's effective capabilities, as /proc/self/status reports them, and what a
 * refusal (EPERM) means in their light: which capability is missing and how to grant it. Not
 * API; owns no native memory.
 */
public final class Capabilities {
    static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;
    private static final String GRANT = "run as root, or grant ";

    private Capabilities() {
    }

    /** True when this process may load BPF programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
    public static boolean canLoadBpf() {
        long caps = effective();
        return has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
    }

    /**
     * Why the kernel refused {@code operation} on {@code target} with EPERM/EACCES, in this
     * process's situation: the missing capability and how to grant it, or on kernels before
     * 5.11 (decided by the MEMCG_ACCOUNTING probe) a too small RLIMIT_MEMLOCK. Null when nothing explains it (a privileged process is
     * refused for other reasons too: lockdown, a program type the kernel forbids).
     */
    public static String denialHint(String operation, String target) {
        long memlock = memlockLimit();
        // probed only when the limit is finite: the probe loads a program
        boolean charged = memlock != Long.MAX_VALUE
                && !dev.jbpf.features.KernelFeatures.has(dev.jbpf.features.Facility.MEMCG_ACCOUNTING);
        return denialHint(effective(), operation, target, kernelRelease(), charged ? memlock : Long.MAX_VALUE);
    }

    /**
     * {@link #denialHint(String, String)} for a given situation (tests try each one).
     *
     * @param memlockBytes RLIMIT_MEMLOCK when the kernel charges BPF memory to it (the
     *     MEMCG_ACCOUNTING probe said no), else Long.MAX_VALUE
     */
    static String denialHint(long caps, String operation, String target, String kernelRelease, long memlockBytes) {
        boolean admin = has(caps, CAP_SYS_ADMIN);
        if (!admin && byIdOrListing(operation, target)) {
            return "listing BPF objects and opening them by id needs CAP_SYS_ADMIN, which this process lacks: "
                    + GRANT + "it (docker run --cap-add SYS_ADMIN), or select the object by its pin (pinned PATH)";
        }
        if (!admin && !has(caps, CAP_BPF)) {
            return "needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), which this process lacks: " + GRANT
                    + "them (setcap cap_bpf,cap_perfmon+ep FILE; docker run --cap-add BPF --cap-add PERFMON)";
        }
        if (!admin && !has(caps, CAP_PERFMON)) {
            return "needs CAP_PERFMON besides CAP_BPF (for tracing programs and perf events), which this process lacks: "
                    + GRANT + "it (setcap cap_bpf,cap_perfmon+ep FILE; docker run --cap-add PERFMON)";
        }
        if (memlockBytes != Long.MAX_VALUE) {
            return "this kernel (" + kernelRelease + ") charges BPF maps and programs to RLIMIT_MEMLOCK, which is "
                    + memlockBytes / 1024 + " KiB here (kernels from 5.11 on do not): raise it (ulimit -l unlimited;"
                    + " docker run --ulimit memlock=-1)";
        }
        if (!admin && !has(caps, CAP_NET_ADMIN)) {
            return "refused although this process has CAP_BPF and CAP_PERFMON; networking programs (xdp, tc, cgroup)"
                    + " also need CAP_NET_ADMIN: " + GRANT + "it (docker run --cap-add NET_ADMIN)";
        }
        return null;
    }

    /** The operations that go through BPF_*_GET_NEXT_ID or BPF_*_GET_FD_BY_ID: CAP_SYS_ADMIN only. */
    private static boolean byIdOrListing(String operation, String target) {
        return operation.startsWith("list ") || operation.contains("by id") || (target != null && target.startsWith("id "));
    }

    private static boolean has(long caps, int capability) {
        return (caps & (1L << capability)) != 0;
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The soft RLIMIT_MEMLOCK in bytes, Long.MAX_VALUE when unlimited or unknown. */
    static long memlockLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    String soft = line.substring("Max locked memory".length()).strip().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    private static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
