package dev.jbpf;

import dev.jbpf.internal.Capabilities;

/**
 * The kernel refused for lack of privilege (EPERM, EACCES). When this process's capabilities
 * (or, before Linux 5.11, its RLIMIT_MEMLOCK) explain the refusal, the message says what is
 * missing and how to grant it (libbpf's own guess, often about RLIMIT_MEMLOCK, would mislead);
 * otherwise it keeps libbpf's explanation, since a privileged process gets EPERM for other
 * reasons too (lockdown, a kernel that forbids a program type). Owns no native memory.
 */
public class BpfPermissionException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BpfPermissionException(String operation, String target, int errno, String detail) {
        this(operation, target, errno, detail, null);
    }

    /** @param cause the exception this one reports (an {@code AccessDeniedException}, ...), or null */
    public BpfPermissionException(String operation, String target, int errno, String detail, Throwable cause) {
        super(operation, target, errno, hintOr(operation, target, detail), cause);
    }

    private static String hintOr(String operation, String target, String detail) {
        String hint = Capabilities.denialHint(operation, target);
        return hint != null ? hint : detail;
    }
}
