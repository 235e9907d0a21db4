package dev.jbpf;

import dev.jbpf.internal.Errno;

/**
 * A failed BPF operation: which operation, on what, and errno's name and message. The root
 * of jbpf's exceptions; unchecked, so try-with-resources code stays plain. Owns no native
 * memory.
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final String target;
    private final int errno;
    private final String detail;

    /**
     * @param operation what was attempted, e.g. "load object" or "attach program"
     * @param target the object, program, map or path it was attempted on (may be empty)
     * @param errno the positive errno, or 0 when the failure is not an errno
     * @param detail extra explanation (e.g. libbpf's last warning), or null
     */
    public BpfException(String operation, String target, int errno, String detail) {
        this(operation, target, errno, detail, null);
    }

    /**
     * The same, for a failure that another exception reported first: {@code cause} is kept as
     * {@link #getCause()} (stack traces show it under {@code --debug}); the message is ours alone.
     *
     * @param cause the exception this one reports, or null
     */
    public BpfException(String operation, String target, int errno, String detail, Throwable cause) {
        super(compose(operation, target, errno, detail));
        if (cause != null) {
            initCause(cause); // only then: a null cause given to super would forbid a later initCause
        }
        this.operation = operation;
        this.target = target == null ? "" : target;
        this.errno = Math.abs(errno);
        this.detail = detail == null || detail.isBlank() ? null : detail.strip();
    }

    public BpfException(String operation, String target, String detail) {
        this(operation, target, 0, detail, null);
    }

    /** A failure that is not an errno, reported first by {@code cause}. */
    public BpfException(String operation, String target, String detail, Throwable cause) {
        this(operation, target, 0, detail, cause);
    }

    /** Builds the one-line message: "operation target: message (ENAME): detail". */
    static String compose(String operation, String target, int errno, String detail) {
        StringBuilder message = new StringBuilder(operation);
        if (target != null && !target.isEmpty()) {
            message.append(' ').append(target);
        }
        if (errno != 0) {
            message.append(": ").append(Errno.message(errno)).append(" (").append(Errno.name(errno)).append(')');
        }
        if (detail != null && !detail.isBlank()) {
            message.append(": ").append(detail.strip());
        }
        return message.toString();
    }

    /**
     * The exception type that fits errno: permission and not-found failures get their own
     * subtypes so callers (and the CLI) can tell them apart.
     */
    public static BpfException of(String operation, String target, int errno, String detail) {
        return of(operation, target, errno, detail, null);
    }

    /** {@link #of(String, String, int, String)} for a failure that {@code cause} reported first. */
    public static BpfException of(String operation, String target, int errno, String detail, Throwable cause) {
        int positive = Math.abs(errno);
        if (positive == Errno.EPERM || positive == Errno.EACCES) {
            return new BpfPermissionException(operation, target, positive, detail, cause);
        }
        if (positive == Errno.ENOENT) {
            return new BpfNotFoundException(operation, target, positive, detail, cause);
        }
        return new BpfException(operation, target, positive, detail, cause);
    }

    public String operation() {
        return operation;
    }

    public String target() {
        return target;
    }

    /** The positive errno of the failure, 0 when it was not a failed system or libbpf call. */
    public int errno() {
        return errno;
    }

    /**
     * The explanation after errno in the message (libbpf's last warnings, or jbpf's reason), or
     * null when there is none.
     */
    public String detail() {
        return detail;
    }

    /** The message without {@link #detail()}: "operation target: message (ENAME)". */
    public String headline() {
        return compose(operation, target, errno, null);
    }

    /** errno's symbolic name ("ENOENT"), or an empty string when errno is 0. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }
}
