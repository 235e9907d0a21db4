package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Finds the file of a binary named the way people name them: a path ({@code ./app},
 * {@code /usr/bin/bash}), a library name ({@code libc.so.6}) found as the dynamic linker finds
 * it, or a program name ({@code bash}) found on {@code PATH}.
 *
 * <p>Library names are searched in {@code LD_LIBRARY_PATH}, then {@code /etc/ld.so.cache}
 * (read directly, as {@code ldconfig -p} prints it), then the default directories; like the
 * dynamic linker it skips files for another machine or ELF class (a 32-bit {@code libc.so.6}
 * in {@code /lib32}). Static methods only; reads files, holds nothing.
 */
public final class Binaries {
    private static final String RESOLVE = "resolve binary";

    private Binaries() {
    }

    /** The search this process does: its environment, the system's cache and directories. */
    record Search(List<Path> libraryPath, Map<String, List<Path>> cache, List<Path> defaultDirs, List<Path> path,
            int machine) {
    }

    /**
     * The file of {@code binary}: a name containing '/' is a path (relative to the working
     * directory); a name like {@code libfoo.so} or {@code libfoo.so.1} is a library; any other
     * name is a program on {@code PATH}. Returns an absolute, normalised path (symbolic links
     * are kept: a uprobe on a link probes its target).
     *
     * @throws BpfNotFoundException when there is no such file, saying where it looked
     * @throws IllegalArgumentException when {@code binary} is blank
     */
    public static Path resolve(String binary) {
        Objects.requireNonNull(binary, "binary");
        return binary.contains("/") ? resolvePath(binary) : resolve(binary, systemSearch());
    }

    /** Whether {@code name} is a library name ({@code libc.so.6}, {@code libz.so}) rather than a program or path. */
    public static boolean isLibraryName(String name) {
        return !name.contains("/") && (name.endsWith(".so") || name.contains(".so."));
    }

    /**
     * The directories a library name is searched in, in order: {@code LD_LIBRARY_PATH}, then
     * the default ones ({@code /etc/ld.so.cache} is consulted between the two).
     */
    public static List<Path> librarySearchPath() {
        Search search = systemSearch();
        List<Path> dirs = new ArrayList<>(search.libraryPath());
        dirs.addAll(search.defaultDirs());
        return List.copyOf(dirs);
    }

    static Path resolve(String binary, Search search) {
        Objects.requireNonNull(binary, "binary");
        if (binary.isBlank()) {
            throw new IllegalArgumentException("binary must not be empty");
        }
        if (binary.contains("/")) {
            return resolvePath(binary);
        }
        if (isLibraryName(binary)) {
            for (Path dir : search.libraryPath()) {
                Path candidate = dir.resolve(binary);
                if (usableLibrary(candidate, search.machine())) {
                    return candidate.toAbsolutePath().normalize();
                }
            }
            for (Path candidate : search.cache().getOrDefault(binary, List.of())) {
                if (usableLibrary(candidate, search.machine())) {
                    return candidate.toAbsolutePath().normalize();
                }
            }
            for (Path dir : search.defaultDirs()) {
                Path candidate = dir.resolve(binary);
                if (usableLibrary(candidate, search.machine())) {
                    return candidate.toAbsolutePath().normalize();
                }
            }
            List<String> places = new ArrayList<>();
            if (!search.libraryPath().isEmpty()) {
                places.add("LD_LIBRARY_PATH (" + join(search.libraryPath()) + ")");
            }
            places.add("/etc/ld.so.cache");
            places.add(join(search.defaultDirs()));
            throw new BpfNotFoundException(RESOLVE, binary, "no such library for this machine in "
                    + String.join(", ", places) + "; give its path");
        }
        for (Path dir : search.path()) {
            Path candidate = dir.resolve(binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new BpfNotFoundException(RESOLVE, binary, "no such program on PATH (" + join(search.path())
                + "); give its path, or a library name such as libc.so.6");
    }

    /** A name with a '/' in it: a path, relative to the working directory; no search. */
    private static Path resolvePath(String binary) {
        Path path = Path.of(binary).toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            throw new BpfNotFoundException(RESOLVE, binary, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new BpfException(RESOLVE, binary, "is a directory");
        }
        return path;
    }

    private static String join(List<Path> dirs) {
        return dirs.stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    private static Search systemSearch() {
        return new Search(splitPath(System.getenv("LD_LIBRARY_PATH")), LdSoCache.system(), defaultLibraryDirs(),
                splitPath(System.getenv("PATH")), hostMachine());
    }

    static List<Path> splitPath(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>();
        for (String part : value.split(":")) {
            // An empty entry means the working directory, to the dynamic linker and the shell alike.
            dirs.add(Path.of(part.isEmpty() ? "." : part));
        }
        return List.copyOf(dirs);
    }

    /** The multiarch directories of this machine, then the classic ones. */
    static List<Path> defaultLibraryDirs() {
        String triplet = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "loongarch64" -> "loongarch64-linux-gnu";
            default -> null;
        };
        List<Path> dirs = new ArrayList<>();
        if (triplet != null) {
            dirs.add(Path.of("/lib", triplet));
            dirs.add(Path.of("/usr/lib", triplet));
        }
        for (String dir : List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib")) {
            dirs.add(Path.of(dir));
        }
        return List.copyOf(dirs);
    }

    /** {@code e_machine} of the binaries this JVM runs as (0 when unknown: then any machine is accepted). */
    static int hostMachine() {
        return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> 62;
            case "aarch64", "arm64" -> 183;
            case "riscv64" -> 243;
            case "s390x" -> 22;
            case "ppc64le", "ppc64" -> 21;
            case "loongarch64" -> 258;
            default -> 0;
        };
    }

    /** A regular file that is an ELF64 object for {@code machine} (any machine when 0). */
    static boolean usableLibrary(Path candidate, int machine) {
        return Files.isRegularFile(candidate) && ElfHeader.read(candidate)
                .filter(header -> header.is64Bit() && (machine == 0 || header.machine() == machine)).isPresent();
    }
}
