package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.CloseNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The USDT probes of binaries and of running processes, for listing them as bcc's
 * {@code tplist} does: the probes of one binary ({@link #read}: only its section headers and
 * {@code .note.stapsdt} are read, not its symbols, so libjvm's 500+ probes take milliseconds),
 * those of every file a process has mapped executable ({@link #ofProcess},
 * {@link #forEachInProcess}: read through {@code /proc/PID/root}, so a process in a container
 * works), and the probes a provider or {@code provider:name} selects ({@link #select}, whose
 * not-found message offers the three closest names). {@link ElfFile#usdtProbes()} gives the
 * same probes with the rest of the file. Static methods only; reads files, holds nothing.
 */
public final class UsdtProbes {
    private static final int NT_STAPSDT = 3;
    /** How many names a not-found message offers when there are more: the closest three. */
    private static final int OFFERED = 3;

    private UsdtProbes() {
    }

    /**
     * The USDT probes of one file a process has mapped, in note order.
     *
     * @param file the mapped file: its path in the process and the path it is read through
     * @param probes its probes, never empty
     */
    public record InFile(ProcessMaps.MappedFile file, List<UsdtProbe> probes) {
        public InFile {
            Objects.requireNonNull(file, "file");
            probes = List.copyOf(probes);
        }
    }

    /**
     * The USDT probes of the ELF file at {@code binary}, in note order; empty when it has no
     * {@code .note.stapsdt} section. Reads the section headers and the notes only.
     *
     * @throws BpfNotFoundException when there is no such file
     * @throws BpfException when it cannot be read, is not an ELF64 file, or is malformed
     */
    public static List<UsdtProbe> read(Path binary) {
        Objects.requireNonNull(binary, "binary");
        return ElfReader.read(binary, false, UsdtProbes::parse);
    }

    /**
     * The USDT probes of process {@code pid}: each distinct file it has mapped executable
     * ({@link ProcessMaps#executableFiles}) that has a {@code .note.stapsdt} section, in the
     * order of {@code /proc/PID/maps}, with its probes. Files that are not regular ELF files
     * are passed over.
     *
     * @throws BpfNotFoundException when there is no such process, or it exits while its files
     *     are read
     * @throws BpfException when its memory map or one of its ELF files cannot be read (EACCES
     *     without the right to trace it)
     */
    public static List<InFile> ofProcess(int pid) {
        List<InFile> files = new ArrayList<>();
        forEachInProcess(pid, files::add);
        return List.copyOf(files);
    }

    /**
     * {@link #ofProcess}, each file given to {@code action} as soon as it is read: a caller
     * printing the probes prints those of the first file before the next one is read.
     */
    public static void forEachInProcess(int pid, Consumer<InFile> action) {
        Objects.requireNonNull(action, "action");
        for (ProcessMaps.MappedFile file : ProcessMaps.executableFiles(pid)) {
            if (!Files.isRegularFile(file.file()) || !ElfFile.isElf(file.file())) {
                if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid)))) {
                    throw ProcessMaps.noSuchProcess(pid, "read the files of");
                }
                continue; // a device or a non-ELF file mapped executable: no notes to read
            }
            List<UsdtProbe> probes = read(file.file());
            if (!probes.isEmpty()) {
                action.accept(new InFile(file, probes));
            }
        }
    }

    /**
     * The probes of {@code probes} that {@code provider} and {@code name} select, in order:
     * every probe of the provider when {@code name} is null, else the probes
     * {@code provider:name} (one name may have several call sites, at different addresses).
     *
     * @param where what the probes are of, for the message: "in /usr/bin/python3", "in process 1234"
     * @throws BpfNotFoundException when none matches; the message offers the closest three
     *     providers (or {@code provider:name}s), or says there are no probes at all
     */
    public static List<UsdtProbe> select(List<UsdtProbe> probes, String provider, String name, String where) {
        Objects.requireNonNull(probes, "probes");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(where, "where");
        List<UsdtProbe> selected = probes.stream().filter(probe -> probe.matches(provider, name)).toList();
        if (selected.isEmpty()) {
            throw notFound(probes, provider, name, where, "it");
        }
        return selected;
    }

    /**
     * "find USDT probe P:N WHERE: no such probe; similar: a, b, c (OWNER has 566)", or for a
     * provider alone "find USDT provider P WHERE: no such provider; ...", or "OWNER has no USDT
     * probes" when there are none.
     */
    static BpfNotFoundException notFound(List<UsdtProbe> probes, String provider, String name, String where,
            String owner) {
        String operation = name == null ? "find USDT provider" : "find USDT probe";
        String wanted = name == null ? provider : provider + ":" + name;
        if (probes.isEmpty()) {
            return new BpfNotFoundException(operation, wanted + " " + where,
                    owner + " has no USDT probes (no .note.stapsdt section)");
        }
        // libjvm has hundreds of probes: offer the closest three, not all of them
        List<String> known = probes.stream().map(name == null ? UsdtProbe::provider : UsdtProbe::qualifiedName)
                .distinct().sorted().toList();
        return new BpfNotFoundException(operation, wanted + " " + where, (name == null ? "no such provider" : "no such probe")
                + CloseNames.offer(wanted, known, OFFERED, owner + " has"));
    }

    /** The probes of the {@code .note.stapsdt} sections of the file {@code reader} reads. */
    static List<UsdtProbe> parse(ElfReader reader) throws IOException {
        List<ElfReader.Section> sections = reader.sections();
        List<UsdtProbe> probes = new ArrayList<>();
        Long stapsdtBase = null;
        for (ElfReader.Section section : sections) {
            if (".stapsdt.base".equals(section.name())) {
                stapsdtBase = section.address();
            }
        }
        for (ElfReader.Section section : sections) {
            if (section.type() == ElfReader.SHT_NOTE && ".note.stapsdt".equals(section.name())) {
                readNotes(reader, reader.contents(section), stapsdtBase, probes);
            }
        }
        return probes;
    }

    private static void readNotes(ElfReader reader, ByteBuffer notes, Long stapsdtBase, List<UsdtProbe> out) {
        for (ElfReader.Note note : reader.notes(notes)) {
            ByteBuffer desc = note.descriptor();
            if (note.type() == NT_STAPSDT && note.owner().equals("stapsdt") && desc.limit() >= 24 + 3) {
                long pc = desc.getLong(0);
                long base = desc.getLong(8);
                long semaphore = desc.getLong(16);
                String provider = ElfReader.string(desc, 24);
                int nameAt = 24 + provider.getBytes(StandardCharsets.UTF_8).length + 1;
                String name = ElfReader.string(desc, nameAt);
                int argsAt = nameAt + name.getBytes(StandardCharsets.UTF_8).length + 1;
                String arguments = argsAt < desc.limit() ? ElfReader.string(desc, argsAt) : "";
                if (stapsdtBase != null) {
                    // Prelinking may have moved the file; the note recorded where .stapsdt.base was.
                    long delta = stapsdtBase - base;
                    pc += delta;
                    if (semaphore != 0) {
                        semaphore += delta;
                    }
                }
                out.add(new UsdtProbe(provider, name, pc, semaphore, arguments));
            }
        }
    }
}
