package dev.jbpf.tools.profile;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The code a JIT names in a perf map, /tmp/perf-PID.map: one "START SIZE name" line per piece
 * of code (START and SIZE in hex, "0x" optional), the format perf and HotSpot
 * ({@code jcmd PID Compiler.perfmap}, {@code -XX:+DumpPerfMapAtExit}) share. HotSpot names a
 * compiled method "RETURN_TYPE CLASS.METHOD(PARAMETERS)", its template interpreter
 * "Interpreter", and other generated code by what it is ("I2C/C2I adapters", "StubRoutines
 * (1)"). Snapshots read at different times add up: where they overlap, the newer names the
 * address (HotSpot reuses code cache memory). Plain Java data; not thread-safe.
 */
final class PerfMap {
    /** "long JavaHot.spinHotMethod(long)": a return type, a class and a method, parameters in parentheses. */
    private static final Pattern JAVA_METHOD = Pattern.compile("(\\S+) ([^\\s(]+)\\.([^\\s.(]+)\\((.*)\\)");

    private record Snapshot(long[] starts, long[] ends, String[] names) {
        int find(long address) {
            int i = Arrays.binarySearch(starts, address);
            if (i < 0) {
                i = -i - 2;
            }
            return i >= 0 && Long.compareUnsigned(address, ends[i]) < 0 ? i : -1;
        }
    }

    /** A named piece of code: the frame's name and kind. */
    record Symbol(String name, Profile.FrameKind kind) { }

    private final List<Snapshot> snapshots = new ArrayList<>(); // newest first

    /** Whether some snapshot was read. */
    boolean isEmpty() {
        return snapshots.isEmpty();
    }

    /**
     * Reads the map at {@code file} as a new snapshot: false, reading nothing, when it is
     * missing, not a regular file (a symbolic link is not followed: a process could point its
     * /tmp/perf-PID.map anywhere), or owned neither by {@code ownerUid} nor by root (as perf
     * ignores such maps); -1 for any owner.
     */
    boolean read(Path file, int ownerUid) {
        PosixFileAttributes attributes;
        List<String> lines;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return false;
            }
            int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (ownerUid >= 0 && uid != ownerUid && uid != 0) {
                return false;
            }
            try (var channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                 var reader = new java.io.BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8))) {
                lines = reader.lines().toList();
            }
        } catch (IOException | SecurityException | UnsupportedOperationException | java.io.UncheckedIOException e) {
            return false;
        }
        add(lines);
        return true;
    }

    /** Adds the lines of one perf map as a new snapshot (lines that are not "START SIZE name" are skipped). */
    void add(List<String> lines) {
        record Line(long start, long end, String name) { }
        List<Line> parsed = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] fields = line.strip().split("\\s+", 3);
            if (fields.length < 3) {
                continue;
            }
            try {
                long start = Long.parseUnsignedLong(hex(fields[0]), 16);
                long size = Long.parseUnsignedLong(hex(fields[1]), 16);
                if (size > 0) {
                    parsed.add(new Line(start, start + size, fields[2].strip()));
                }
            } catch (NumberFormatException e) {
                // not a map line
            }
        }
        parsed.sort(Comparator.comparingLong(Line::start));
        long[] starts = new long[parsed.size()];
        long[] ends = new long[parsed.size()];
        String[] names = new String[parsed.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = parsed.get(i).start();
            ends[i] = parsed.get(i).end();
            names[i] = parsed.get(i).name();
        }
        snapshots.addFirst(new Snapshot(starts, ends, names));
    }

    private static String hex(String field) {
        return field.startsWith("0x") || field.startsWith("0X") ? field.substring(2) : field;
    }

    /** The code at {@code address} in the newest snapshot that has some, or null. */
    Symbol find(long address) {
        for (Snapshot snapshot : snapshots) {
            int i = snapshot.find(address);
            if (i >= 0) {
                return symbol(snapshot.names()[i]);
            }
        }
        return null;
    }

    /**
     * A perf map name as a frame: a Java method "RET CLASS.METHOD(PARAMS)" becomes
     * "CLASS.METHOD" (as async-profiler names frames; overloads add up), "Interpreter" is
     * interpreted code, anything else a stub of the JVM, named as the map names it.
     */
    static Symbol symbol(String name) {
        Matcher java = JAVA_METHOD.matcher(name);
        if (java.matches()) {
            return new Symbol(java.group(2) + "." + java.group(3), Profile.FrameKind.JAVA);
        }
        if (name.equals("Interpreter")) {
            return new Symbol(name, Profile.FrameKind.INTERPRETED);
        }
        return new Symbol(name, Profile.FrameKind.STUB);
    }
}
