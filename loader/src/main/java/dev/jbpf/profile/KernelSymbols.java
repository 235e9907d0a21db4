package dev.jbpf.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel's function symbols from /proc/kallsyms, to name kernel stack addresses. Read once
 * ({@link #load()}); a value in the Java heap, owning no native memory. Addresses are 0 for
 * readers without CAP_SYSLOG (kptr_restrict): then every address is "[unknown]".
 */
public final class KernelSymbols {
    /** Addresses flipped in their top bit, so signed order is the kernel addresses' unsigned order. */
    private final long[] keys;
    private final String[] names;

    private KernelSymbols(long[] keys, String[] names) {
        this.keys = keys;
        this.names = names;
    }

    /** The running kernel's symbols. */
    public static KernelSymbols load() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/kallsyms")));
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/kallsyms", e);
        }
    }

    /** Symbols from lines in kallsyms' format: "ADDRESS TYPE NAME [MODULE]"; only text (t, T) counts. */
    static KernelSymbols parse(List<String> lines) {
        record Entry(long key, String name) { }
        List<Entry> entries = new ArrayList<>(lines.size());
        for (String line : lines) {
            // split by hand: a regular expression per line costs seconds over kallsyms' 100k+ lines
            int space = line.indexOf(' ');
            if (space < 0 || space + 3 >= line.length() || line.charAt(space + 2) != ' ') {
                continue;
            }
            char type = line.charAt(space + 1);
            if (type != 't' && type != 'T') {
                continue;
            }
            int nameEnd = line.indexOf('\t', space + 3);
            String name = line.substring(space + 3, nameEnd < 0 ? line.length() : nameEnd);
            long address = Long.parseUnsignedLong(line, 0, space, 16);
            if (address != 0) {
                entries.add(new Entry(address ^ Long.MIN_VALUE, name));
            }
        }
        entries.sort((a, b) -> Long.compare(a.key, b.key));
        long[] keys = new long[entries.size()];
        String[] names = new String[entries.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = entries.get(i).key;
            names[i] = entries.get(i).name;
        }
        return new KernelSymbols(keys, names);
    }

    /** How many function symbols there are (0 when the addresses are hidden). */
    public int size() {
        return keys.length;
    }

    /** The function containing {@code address}: the nearest symbol at or below it, or "[unknown]". */
    public String name(long address) {
        int i = Arrays.binarySearch(keys, address ^ Long.MIN_VALUE);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? "[unknown]" : names[i];
    }
}
