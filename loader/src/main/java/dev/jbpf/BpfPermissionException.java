package dev.jbpf;

/** The kernel refused for lack of privilege (EPERM, EACCES). Owns no native memory. */
public class BpfPermissionException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BpfPermissionException(String operation, String target, int errno, String detail) {
        super(operation, target, errno, detail == null || detail.isBlank()
                ? "BPF needs root, or CAP_BPF with CAP_PERFMON (and CAP_NET_ADMIN for networking programs)"
                : detail);
    }
}
