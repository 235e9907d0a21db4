package dev.jbpf.tools.profile;

import dev.jbpf.BpfException;
import dev.jbpf.elf.CxxDemangler;
import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import dev.jbpf.elf.ProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names user-space addresses of processes. An address in a mapped file is named by that file's
 * ELF symbols ({@link ElfFile}, and those of its separate debug file where one is installed
 * under /usr/lib/debug/.build-id; C++ names demangled by {@link CxxDemangler}); code a JIT
 * generated (HotSpot's compiled Java methods, interpreter and stubs) by the process's perf map,
 * /tmp/perf-PID.map ({@link #readPerfMap}); an address nothing names keeps its file and
 * address ("libjvm.so+0x5a3b1c"), or just its address ("0x7f3a12345678").
 *
 * <p>The mappings (/proc/PID/maps, through {@link ProcessMaps}) are remembered while the process lives ({@link #remember}),
 * since a profile is often symbolised after it exited. Files and perf maps are read as the
 * process sees them, through /proc/PID/root, and a perf map is named by the pid the process has
 * in its own pid namespace (NSpid in /proc/PID/status): a JVM in a container writes
 * /tmp/perf-1.map in its own /tmp. Plain Java data, no native memory; not thread-safe.
 */
public final class UserSymbols {
    /** One executable mapping; {@code path} "" for anonymous memory (a JIT's code), "[vdso]" and the like for the kernel's. */
    private record Mapping(long start, long end, long offset, String path) {
        boolean isFile() {
            return path.startsWith("/") && !path.startsWith("/memfd:");
        }
    }

    /** What is known of one process. */
    private static final class Process {
        final List<Mapping> mappings = new ArrayList<>();
        final PerfMap perfMap = new PerfMap();
        int namespacePid;
        int uid = -1;
        Path perfMapInRoot;
        Path perfMapHere; // the same file by our own /tmp, when the process shares our mount namespace; null otherwise
    }

    /** A file's functions by address, and its loadable segments to turn file offsets into addresses. */
    private record Functions(long[] starts, long[] ends, String[] names, List<ElfFile.LoadSegment> segments) {
        static final Functions NONE = new Functions(new long[0], new long[0], new String[0], List.of());

        /** The ELF virtual address of a file offset, or -1 when no loadable segment holds it. */
        long address(long fileOffset) {
            for (ElfFile.LoadSegment segment : segments) {
                if (fileOffset >= segment.offset() && fileOffset < segment.offset() + segment.fileSize()) {
                    return fileOffset - segment.offset() + segment.virtualAddress();
                }
            }
            return -1;
        }

        String name(long fileOffset) {
            long address = address(fileOffset);
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

    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<String, Functions> files = new HashMap<>();
    private final Map<String, String> demangled = new HashMap<>();

    /** Knows no process yet: {@link #remember} reads one's mappings. */
    public UserSymbols() {
    }

    /**
     * Reads (again) the executable mappings of process {@code pid}, keeping those seen before:
     * call it while the process lives. Returns false when the process is gone or its maps
     * unreadable.
     */
    public boolean remember(int pid) {
        List<ProcessMaps.Mapping> lines;
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            lines = ProcessMaps.read(pid);
        } catch (BpfException | IllegalArgumentException e) {
            return false;
        }
        Process process = processes.get(pid);
        if (process == null) {
            process = new Process();
            identify(pid, proc, process);
            processes.put(pid, process);
        }
        for (ProcessMaps.Mapping line : lines) {
            if (!line.executable()) {
                continue; // data; anonymous executable memory (JIT code) is kept, with no path
            }
            Mapping m = new Mapping(line.start(), line.end(), line.offset(), line.path());
            if (!process.mappings.contains(m)) {
                process.mappings.add(m);
            }
        }
        return true;
    }

    /** Its pid in its own namespace, its uid and where its perf map is, read once while it lives. */
    private static void identify(int pid, Path proc, Process process) {
        process.namespacePid = pid;
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("NSpid:") && f.length > 1) {
                    process.namespacePid = Integer.parseInt(f[f.length - 1]); // the innermost namespace's
                } else if (f[0].equals("Uid:") && f.length > 2) {
                    process.uid = Integer.parseInt(f[2]); // effective: the owner of the files it writes
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile: as seen from here
        }
        String mapName = "perf-" + process.namespacePid + ".map";
        process.perfMapInRoot = proc.resolve("root/tmp").resolve(mapName);
        try {
            if (Files.readSymbolicLink(proc.resolve("ns/mnt")).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")))) {
                process.perfMapHere = Path.of("/tmp", mapName);
            }
        } catch (IOException | RuntimeException e) {
            // unknown: only the path through /proc/PID/root is tried
        }
    }

    /** Whether the mappings of {@code pid} were read. */
    public boolean knows(int pid) {
        return processes.containsKey(pid);
    }

    /**
     * Reads the perf map of process {@code pid} (remembered before), /tmp/perf-NSPID.map as
     * the process sees it, as a new snapshot: earlier snapshots still name code the newer one
     * lacks (freed meanwhile), the newer wins where they overlap. Once the process is gone, the
     * map is read from this process's /tmp if the two shared a mount namespace (a JVM with
     * {@code -XX:+DumpPerfMapAtExit} writes it as it exits). False when there is none, or it is
     * no regular file owned by the process's user or root.
     */
    public boolean readPerfMap(int pid) {
        Process process = processes.get(pid);
        if (process == null) {
            return false;
        }
        return process.perfMap.read(process.perfMapInRoot, process.uid)
                || (process.perfMapHere != null && process.perfMap.read(process.perfMapHere, process.uid));
    }

    /** Whether some perf map of {@code pid} was read. */
    public boolean hasPerfMap(int pid) {
        Process process = processes.get(pid);
        return process != null && !process.perfMap.isEmpty();
    }

    /** The perf map of {@code pid} as this process reads it (through /proc/PID/root), if the process was remembered. */
    public Optional<Path> perfMapFile(int pid) {
        return Optional.ofNullable(processes.get(pid)).map(p -> p.perfMapInRoot);
    }

    /** The name of the frame at {@code address} of process {@code pid}: {@link #frame}'s. */
    public String name(int pid, long address) {
        return frame(pid, address).name();
    }

    /**
     * The frame at {@code address} of process {@code pid}: the function of a mapped file's ELF
     * symbols containing it (kind {@link Profile.FrameKind#CPP} when its name demangles, else
     * {@code NATIVE}); else the code a perf map names there ({@code JAVA}, {@code INTERPRETED},
     * {@code STUB}); else {@code UNKNOWN}, named "FILE+0xADDRESS" (the address in the file's
     * ELF, as addr2line takes it; its file offset when the file is unreadable), "[vdso]+0xOFFSET",
     * or "0xADDRESS" for memory no file is mapped at.
     */
    public Profile.Frame frame(int pid, long address) {
        Process process = processes.get(pid);
        Mapping mapping = null;
        if (process != null) {
            for (Mapping m : process.mappings) {
                if (Long.compareUnsigned(address, m.start) >= 0 && Long.compareUnsigned(address, m.end) < 0) {
                    mapping = m;
                    break;
                }
            }
        }
        Functions functions = null;
        long fileOffset = mapping == null ? 0 : address - mapping.start + mapping.offset;
        if (mapping != null && mapping.isFile()) {
            functions = functions(pid, mapping.path);
            String name = functions.name(fileOffset);
            if (name != null) {
                String cxx = demangled.computeIfAbsent(name, n -> CxxDemangler.demangle(n).orElse(""));
                return cxx.isEmpty() ? new Profile.Frame(name, Profile.FrameKind.NATIVE, address)
                        : new Profile.Frame(cxx, Profile.FrameKind.CPP, address);
            }
        }
        if (process != null) {
            PerfMap.Symbol jit = process.perfMap.find(address);
            if (jit != null) {
                return new Profile.Frame(jit.name(), jit.kind(), address);
            }
        }
        String name;
        if (mapping == null || mapping.path.isEmpty()) {
            name = "0x" + Long.toHexString(address);
        } else if (functions != null) {
            long inFile = functions.address(fileOffset);
            name = fileName(mapping.path) + "+0x" + Long.toHexString(inFile >= 0 ? inFile : fileOffset);
        } else {
            name = mapping.path + "+0x" + Long.toHexString(address - mapping.start);
        }
        return new Profile.Frame(name, Profile.FrameKind.UNKNOWN, address);
    }

    private static String fileName(String path) {
        String file = path.endsWith(" (deleted)") ? path.substring(0, path.length() - " (deleted)".length()) : path;
        return file.substring(file.lastIndexOf('/') + 1);
    }

    private Functions functions(int pid, String path) {
        return files.computeIfAbsent(path, p -> {
            // the file as the process sees it (its mount namespace), else as we do
            Path root = Path.of("/proc", Integer.toString(pid), "root");
            for (Path candidate : List.of(root.resolve(p.substring(1)), Path.of(p))) {
                try {
                    ElfFile elf = ElfFile.read(candidate);
                    List<ElfSymbol> symbols = new ArrayList<>(elf.functions());
                    elf.buildId().flatMap(id -> debugFile(root, id)).ifPresent(debug -> symbols.addAll(debug.functions()));
                    return read(symbols, elf.loadSegments());
                } catch (BpfException e) {
                    // next candidate; a file that is gone or not ELF has no names
                }
            }
            return Functions.NONE;
        });
    }

    /**
     * The separate debug file of the build {@code id}, where a debug package installed one
     * (/usr/lib/debug/.build-id/XX/REST.debug, as gdb and perf look it up): its .symtab has the
     * local functions a stripped library lacks (libc's start_thread). The process's own first.
     */
    private static Optional<ElfFile> debugFile(Path root, String id) {
        if (id.length() < 3) {
            return Optional.empty();
        }
        String relative = "usr/lib/debug/.build-id/" + id.substring(0, 2) + "/" + id.substring(2) + ".debug";
        for (Path candidate : List.of(root.resolve(relative), Path.of("/", relative))) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return Optional.of(ElfFile.read(candidate));
                } catch (BpfException e) {
                    // not usable: the next
                }
            }
        }
        return Optional.empty();
    }

    private static Functions read(List<ElfSymbol> all, List<ElfFile.LoadSegment> segments) {
        List<ElfSymbol> functions = all.stream()
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
        return new Functions(starts, ends, names, segments);
    }
}
