package dev.jbpf.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the one-line files of procfs, sysfs and tracefs. Integer sysctls (/proc/sys) answer
 * only a read at offset 0, so Files.readString, which reads them in pieces, sees 1 byte: read
 * them through one buffered read instead. Pure Java; owns no native memory.
 */
final class KernelFiles {
    private KernelFiles() {
    }

    /** The file's first line, stripped; empty for an empty file. */
    static String firstLine(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            return line == null ? "" : line.strip();
        }
    }

    /** The number on the file's first line. */
    static long number(Path file) throws IOException {
        return Long.parseLong(firstLine(file));
    }
}
