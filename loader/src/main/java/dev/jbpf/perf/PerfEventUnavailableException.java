package dev.jbpf.perf;

import dev.jbpf.BpfException;

/**
 * The kernel or this machine does not have the perf event asked for: e.g. a hardware event
 * on a virtual machine without a CPU PMU (ENOENT), or an event the PMU does not support
 * (EOPNOTSUPP). Callers that can do without the event catch this one (a test skips on it).
 * Owns no native memory.
 */
public class PerfEventUnavailableException extends BpfException {
    private static final long serialVersionUID = 1L;

    public PerfEventUnavailableException(String operation, String target, int errno, String detail) {
        super(operation, target, errno, detail, null);
    }

    /** @param cause the exception this one reports, or null */
    public PerfEventUnavailableException(String operation, String target, int errno, String detail, Throwable cause) {
        super(operation, target, errno, detail, cause);
    }
}
