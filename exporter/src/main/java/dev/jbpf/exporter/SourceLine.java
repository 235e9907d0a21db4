package dev.jbpf.exporter;

import java.nio.file.Path;

/**
 * Where a key of a config was written: the YAML file and its 1-based line. Error messages start
 * with it ({@code biolatency.yaml:12: ...}), so that a refused config points at the line to fix.
 *
 * @param file the YAML file
 * @param line 1-based line number
 */
public record SourceLine(Path file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
