package dev.jbpf;

import dev.jbpf.verifier.VerifierDiagnosis;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel's verifier rejected a program. Carries the whole verifier log; the message
 * ends with its decisive last lines. Owns no native memory (the log is a Java string).
 */
public class VerifierException extends BpfException {
    private static final long serialVersionUID = 1L;
    /** How many of the log's last lines {@link #reason()} keeps. */
    private static final int REASON_LINES = 3;
    private final String program;
    private final String log;

    public VerifierException(String objectName, String program, int errno, String log) {
        this(objectName, program, errno, log, null);
    }

    /** @param cause the exception this one reports, or null */
    public VerifierException(String objectName, String program, int errno, String log, Throwable cause) {
        super("load program", objectName + "/" + program, errno, "rejected by the verifier:\n" + reason(log), cause);
        this.program = program;
        this.log = log;
    }

    /** The rejected program's name. */
    public String program() {
        return program;
    }

    /** The whole verifier log, as the kernel wrote it. */
    public String log() {
        return log;
    }

    /** What the log says went wrong, with a cause and a fix ({@link VerifierDiagnosis#of}). */
    public VerifierDiagnosis diagnosis() {
        return VerifierDiagnosis.of(log);
    }

    /** The decisive lines: the last lines of the log before its statistics line. */
    public String reason() {
        return reason(log);
    }

    static String reason(String log) {
        List<String> lines = Arrays.stream(log.split("\n"))
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .filter(line -> !line.startsWith("processed ") && !line.startsWith("verification time"))
                .filter(line -> !line.startsWith("stack depth"))
                .toList();
        if (lines.isEmpty()) {
            return "(the verifier left no log)";
        }
        return String.join("\n", lines.subList(Math.max(0, lines.size() - REASON_LINES), lines.size()));
    }
}
