package dev.jbpf;

import dev.jbpf.internal.Capabilities;

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

    public BpfPermissionException(String operation, String target, int errno, String detail) {
        super(operation, target, errno, Capabilities.canLoadBpf() ? detail : PRIVILEGE_HINT);
    }
}
