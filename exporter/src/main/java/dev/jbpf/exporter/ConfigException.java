package dev.jbpf.exporter;

/**
 * A config jbpf export refuses: a key it does not support, a value out of range, a decoder it
 * does not know, a map the object lacks or whose key the labels do not describe. The message is
 * one line: {@code FILE:LINE: what is wrong; what to do}. Thrown before anything stays attached.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient SourceLine where;

    public ConfigException(SourceLine where, String message) {
        super(where + ": " + message);
        this.where = where;
    }

    /** The file and line the error is about. */
    public SourceLine where() {
        return where;
    }
}
