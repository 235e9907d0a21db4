package dev.jbpf.cli;

/** A command line that parses but makes no sense (e.g. a bad object selector): exit code 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
