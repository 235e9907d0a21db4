package dev.jbpf.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The dependency file clang writes with {@code -MD -MF FILE} (make syntax: {@code target: dep dep \}),
 * read to decide whether an object is older than anything it was compiled from.
 */
final class DepFile {
    private DepFile() {
    }

    /** The prerequisites listed in a make rule (backslash-newlines joined, "\ " an escaped space). */
    static List<Path> parse(String text) {
        String joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
        int colon = ruleColon(joined);
        String prerequisites = colon < 0 ? "" : joined.substring(colon + 1);
        List<Path> paths = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < prerequisites.length(); i++) {
            char c = prerequisites.charAt(i);
            if (c == '\\' && i + 1 < prerequisites.length() && prerequisites.charAt(i + 1) == ' ') {
                current.append(' ');
                i++;
            } else if (Character.isWhitespace(c)) {
                if (!current.isEmpty()) {
                    paths.add(Path.of(current.toString()));
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) {
            paths.add(Path.of(current.toString()));
        }
        return paths;
    }

    /** The colon that ends the target: the first one followed by whitespace or the end. */
    private static int ruleColon(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':' && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True when object exists and is at least as new as every prerequisite depFile lists (and
     * depFile exists and lists at least one); a prerequisite that is gone makes it out of date.
     */
    static boolean upToDate(Path object, Path depFile) throws IOException {
        if (!Files.isRegularFile(object) || !Files.isRegularFile(depFile)) {
            return false;
        }
        List<Path> prerequisites = parse(Files.readString(depFile));
        if (prerequisites.isEmpty()) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(object);
        for (Path prerequisite : prerequisites) {
            if (!Files.exists(prerequisite) || Files.getLastModifiedTime(prerequisite).compareTo(built) > 0) {
                return false;
            }
        }
        return true;
    }
}
