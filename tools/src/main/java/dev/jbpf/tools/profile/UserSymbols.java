package dev.jbpf.tools.profile;

import dev.jbpf.BpfException;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import dev.jbpf.elf.ProcessMaps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Names user-space addresses of processes: the file each address is mapped from (from
 * /proc/PID/maps through {@link ProcessMaps}, remembered while the process lives, since a profile is often symbolised after
 * it exited) and the function of that file's ELF symbols ({@link ElfFile}) containing the
 * address. Plain Java data, no native memory; not thread-safe.
 */
public final class UserSymbols {
    private record Mapping(long start, long end, long offset, String path) { }

    /** A file's functions by address, and its loadable segments to turn file offsets into addresses. */
    private record Functions(long[] starts, long[] ends, String[] names, List<ElfFile.LoadSegment> segments) {
        static final Functions NONE = new Functions(new long[0], new long[0], new String[0], List.of());

        String name(long fileOffset) {
            long address = -1;
            for (ElfFile.LoadSegment segment : segments) {
                if (fileOffset >= segment.offset() && fileOffset < segment.offset() + segment.fileSize()) {
                    address = fileOffset - segment.offset() + segment.virtualAddress();
                    break;
                }
            }
            if (address < 0) {
                return null;
            }
            int i = Arrays.binarySearch(starts, address);
            if (i < 0) {
                i = -i - 2;
            }
            // a symbol without size (hand-written assembly) covers what lies up to the next one
            if (i >= 0 && (address < ends[i] || ends[i] == starts[i])) {
                return names[i];
            }
            return null;
        }
    }

    private final Map<Integer, List<Mapping>> mappings = new HashMap<>();
    private final Map<String, Functions> files = new HashMap<>();

    /** Knows no process yet: {@link #remember} reads one's mappings. */
    public UserSymbols() {
    }

    /**
     * Reads (again) the file mappings of process {@code pid}, keeping those seen before: call it
     * while the process lives. Returns false when the process is gone or its maps unreadable.
     */
    public boolean remember(int pid) {
        List<ProcessMaps.Mapping> lines;
        try {
            lines = ProcessMaps.read(pid);
        } catch (BpfException | IllegalArgumentException e) {
            return false;
        }
        List<Mapping> known = mappings.computeIfAbsent(pid, p -> new ArrayList<>());
        for (ProcessMaps.Mapping line : lines) {
            if (!line.executable() || line.path().isEmpty()) {
                continue; // data, or anonymous code (JIT) no file names
            }
            Mapping m = new Mapping(line.start(), line.end(), line.offset(), line.path());
            if (!known.contains(m)) {
                known.add(m);
            }
        }
        return true;
    }

    /** Whether the mappings of {@code pid} were read. */
    public boolean knows(int pid) {
        return mappings.containsKey(pid);
    }

    /**
     * The function of process {@code pid} containing {@code address}; else "[FILE]" (the mapped
     * file's name) when the file has no symbol there, "[unknown]" when no known mapping holds it.
     */
    public String name(int pid, long address) {
        for (Mapping m : mappings.getOrDefault(pid, List.of())) {
            if (Long.compareUnsigned(address, m.start) >= 0 && Long.compareUnsigned(address, m.end) < 0) {
                if (!m.path.startsWith("/")) {
                    return m.path; // [vdso], [anon:...], JIT code ...
                }
                String name = functions(pid, m.path).name(address - m.start + m.offset);
                return name != null ? name : "[" + Path.of(m.path).getFileName() + "]";
            }
        }
        return "[unknown]";
    }

    private Functions functions(int pid, String path) {
        return files.computeIfAbsent(path, p -> {
            // the file as the process sees it (its mount namespace), else as we do
            Path inRoot = Path.of("/proc", Integer.toString(pid), "root", p.substring(1));
            for (Path candidate : List.of(inRoot, Path.of(p))) {
                try {
                    return read(ElfFile.read(candidate));
                } catch (BpfException e) {
                    // next candidate; a file that is gone or not ELF has no names
                }
            }
            return Functions.NONE;
        });
    }

    private static Functions read(ElfFile elf) {
        List<ElfSymbol> functions = elf.functions().stream()
                .filter(s -> s.address() != 0)
                .sorted(Comparator.comparingLong(ElfSymbol::address).thenComparing(s -> s.dynamic()))
                .toList();
        List<ElfSymbol> unique = new ArrayList<>();
        for (ElfSymbol s : functions) {
            if (unique.isEmpty() || unique.getLast().address() != s.address()) {
                unique.add(s); // .symtab's name first: it has the local (static) functions too
            }
        }
        long[] starts = new long[unique.size()];
        long[] ends = new long[unique.size()];
        String[] names = new String[unique.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = unique.get(i).address();
            ends[i] = starts[i] + unique.get(i).size();
            names[i] = unique.get(i).name();
        }
        return new Functions(starts, ends, names, elf.loadSegments());
    }
}
