package dev.jbpf;

/**
 * What was asked for does not exist: a file, a kernel object (ENOENT), or a program or map
 * name that the object does not have. Owns no native memory.
 */
public class BpfNotFoundException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BpfNotFoundException(String operation, String target, int errno, String detail) {
        super(operation, target, errno, detail, null);
    }

    public BpfNotFoundException(String operation, String target, String detail) {
        super(operation, target, 0, detail, null);
    }

    /** @param cause the exception this one reports (a {@code NoSuchFileException}, ...), or null */
    public BpfNotFoundException(String operation, String target, int errno, String detail, Throwable cause) {
        super(operation, target, errno, detail, cause);
    }

    /** @param cause the exception this one reports, or null */
    public BpfNotFoundException(String operation, String target, String detail, Throwable cause) {
        super(operation, target, 0, detail, cause);
    }
}
