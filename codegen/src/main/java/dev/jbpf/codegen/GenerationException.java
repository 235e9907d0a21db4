package dev.jbpf.codegen;

/** Why a skeleton could not be generated, in one line (a command line prints it as it is). */
public final class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
