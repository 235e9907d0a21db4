package dev.jbpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel refused for lack of privilege (EPERM, EACCES). When this process lacks the BPF
 * capabilities the message says which are needed (libbpf's own guess, often about
 * RLIMIT_MEMLOCK, would mislead); otherwise it keeps libbpf's explanation, since a privileged
 * process gets EPERM for other reasons too (lockdown, a kernel that forbids a program type).
 * Owns no native memory.
 */
public class BpfPermissionException extends BpfException {
    private static final long serialVersionUID = 1L;
    static final String PRIVILEGE_HINT =
            "BPF needs root, or CAP_BPF with CAP_PERFMON (and CAP_NET_ADMIN for networking programs)";
    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    public BpfPermissionException(String operation, String target, int errno, String detail) {
        super(operation, target, errno, detail == null || detail.isBlank() || !hasBpfCapabilities()
                ? PRIVILEGE_HINT : detail);
    }

    /** True when this process's effective capabilities allow loading BPF programs. */
    static boolean hasBpfCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    return (caps & (1L << CAP_SYS_ADMIN)) != 0
                            || ((caps & (1L << CAP_BPF)) != 0 && (caps & (1L << CAP_PERFMON)) != 0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
