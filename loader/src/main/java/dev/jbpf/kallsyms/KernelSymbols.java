package dev.jbpf.kallsyms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's symbols by address, from {@code /proc/kallsyms}: exact names for the helpers,
 * kfuncs and {@code bpf_prog_TAG_NAME} functions that programs call ({@link #at}), and the
 * function containing an address for stack frames ({@link #name}). Addresses read as 0
 * (kernel.kptr_restrict, no CAP_SYSLOG) are left out, so then nothing resolves. A value in the
 * Java heap, owning no native memory; read again for a fresh view (BPF symbols come and go as
 * programs load).
 */
public final class KernelSymbols {
    /** Addresses flipped in their top bit, so that signed order is the addresses' unsigned order. */
    private final long[] keys;
    private final String[] names;
    /** The same for the text (function) symbols only, for {@link #name}. */
    private final long[] textKeys;
    private final String[] textNames;
    private final long callBase;

    private record Entry(long key, char type, String name) {
    }

    private KernelSymbols(List<Entry> sorted, long callBase) {
        keys = sorted.stream().mapToLong(Entry::key).toArray();
        names = sorted.stream().map(Entry::name).toArray(String[]::new);
        List<Entry> text = sorted.stream().filter(e -> e.type() == 't' || e.type() == 'T').toList();
        textKeys = text.stream().mapToLong(Entry::key).toArray();
        textNames = text.stream().map(Entry::name).toArray(String[]::new);
        this.callBase = callBase;
    }

    /** Reads /proc/kallsyms now; empty (nothing resolves) when it cannot be read. */
    public static KernelSymbols load() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/kallsyms"), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return parse(List.of());
        }
    }

    /** Symbols from lines in kallsyms' format: "ADDRESS TYPE NAME[\t[MODULE]]". */
    public static KernelSymbols parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>(lines.size());
        long callBase = 0;
        for (String line : lines) {
            // split by hand: a regular expression per line costs seconds over kallsyms' 100k+ lines
            int space = line.indexOf(' ');
            if (space <= 0 || space + 3 >= line.length() || line.charAt(space + 2) != ' ') {
                continue;
            }
            int nameEnd = line.indexOf('\t', space + 3);
            String name = line.substring(space + 3, nameEnd < 0 ? line.length() : nameEnd).trim();
            long address;
            try {
                address = Long.parseUnsignedLong(line, 0, space, 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if (name.equals("__bpf_call_base")) {
                callBase = address;
            }
            if (address != 0) {
                entries.add(new Entry(address ^ Long.MIN_VALUE, line.charAt(space + 1), name));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::key)); // stable: aliases stay in file order
        return new KernelSymbols(entries, callBase);
    }

    /** The symbol at exactly this address (the first of its aliases in kallsyms' order). */
    public Optional<String> at(long address) {
        long key = address ^ Long.MIN_VALUE;
        int low = 0;
        int high = keys.length;
        while (low < high) { // the first index whose key is >= key
            int mid = (low + high) >>> 1;
            if (keys[mid] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low < keys.length && keys[low] == key ? Optional.of(names[low]) : Optional.empty();
    }

    /**
     * The address of the symbol called {@code name} (its first entry in kallsyms' order when a
     * name repeats, as static functions of different files may), or empty: for programs that are
     * given kernel addresses in their globals.
     */
    public Optional<Long> addressOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return Optional.of(keys[i] ^ Long.MIN_VALUE);
            }
        }
        return Optional.empty();
    }

    /** The function containing {@code address}: the nearest text symbol at or below it, or "[unknown]". */
    public String name(long address) {
        int i = java.util.Arrays.binarySearch(textKeys, address ^ Long.MIN_VALUE);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? "[unknown]" : textNames[i];
    }

    /** How many function (text) symbols there are (0 when the addresses are hidden). */
    public int size() {
        return textKeys.length;
    }

    /**
     * The address of {@code __bpf_call_base}: a translated program's helper call holds the
     * helper's address minus this, in its immediate. 0 when hidden.
     */
    public long callBase() {
        return callBase;
    }
}
