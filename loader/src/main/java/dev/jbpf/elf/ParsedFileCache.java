package dev.jbpf.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What was parsed from files (an {@link ElfFile}, the ld.so.cache table), kept for the next
 * caller while the file is unchanged: attaching 100 uprobes to one binary parses its symbols
 * once, not 100 times. A file counts as unchanged while its path, device and inode, size,
 * modification and status-change times are the same (a rebuilt, copied over or touched file is
 * parsed again). File times tick in steps of a few milliseconds, so a file rewritten in place
 * twice within one step, at the same size, would look unchanged: a file modified less than
 * {@link #SETTLE_MILLIS} ago is therefore parsed but not kept (as git treats "racily clean" files).
 * At most {@code capacity} files are kept, the least recently used dropped first.
 * Thread-safe; holds only Java heap values, nothing native.
 *
 * @param <T> the immutable value parsed from a file
 */
final class ParsedFileCache<T> {
    /**
     * A file's identity as far as its contents go: equal identities mean the same bytes. The
     * path is kept as the caller wrote it, as the parsed value names it.
     */
    record Identity(Path path, Object fileKey, long size, FileTime modified, Object changed) {
        // Written out: a record's generated equals/hashCode are bootstrapped (invokedynamic) on
        // first use, tens of milliseconds in a new JVM, on the path of a process's first attach.
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity that && size == that.size && path.equals(that.path)
                    && Objects.equals(fileKey, that.fileKey) && modified.equals(that.modified)
                    && Objects.equals(changed, that.changed);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, fileKey, size, modified, changed);
        }
    }

    /** How long after its last modification a file is taken as settled, and kept. */
    static final long SETTLE_MILLIS = 2_000;

    private final int capacity;
    private final Map<Identity, T> entries;

    ParsedFileCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true); // access order: least recently used first
    }

    /**
     * The value parsed from {@code path}: the kept one when the file is unchanged since, else
     * {@code parse.apply(path)}, kept when the file is settled and did not change while it was
     * parsed. What {@code parse} throws goes to the caller, and nothing is kept.
     */
    T get(Path path, Function<Path, T> parse) {
        Objects.requireNonNull(parse, "parse");
        Identity before = identity(path);
        if (before != null) {
            synchronized (this) {
                T kept = entries.get(before);
                if (kept != null) {
                    return kept;
                }
            }
        }
        T value = parse.apply(path);
        boolean settled = before != null
                && before.modified().toMillis() < System.currentTimeMillis() - SETTLE_MILLIS;
        if (settled && value != null && before.equals(identity(path))) {
            synchronized (this) {
                entries.keySet().removeIf(identity -> identity.path().equals(before.path())); // older versions
                entries.put(before, value);
                while (entries.size() > capacity) {
                    Identity eldest = entries.keySet().iterator().next();
                    entries.remove(eldest);
                }
            }
        }
        return value;
    }

    /** How many files are kept (for tests). */
    synchronized int size() {
        return entries.size();
    }

    /** The identity of the file at path (links followed), or null when it cannot be read. */
    static Identity identity(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            try {
                // one stat(2) for all of them, through the "unix" view (Linux and other Unixes)
                Map<String, Object> unix = Files.readAttributes(absolute, "unix:isRegularFile,dev,ino,size,lastModifiedTime,ctime");
                if (!Boolean.TRUE.equals(unix.get("isRegularFile"))) {
                    return null;
                }
                return new Identity(path, List.of(unix.get("dev"), unix.get("ino")), (Long) unix.get("size"),
                        (FileTime) unix.get("lastModifiedTime"), unix.get("ctime"));
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                // no "unix" view on this file system: path, file key, size and mtime must do
                BasicFileAttributes basic = Files.readAttributes(absolute, BasicFileAttributes.class);
                return basic.isRegularFile()
                        ? new Identity(path, basic.fileKey(), basic.size(), basic.lastModifiedTime(), null) : null;
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
