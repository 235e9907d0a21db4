package dev.jbpf;

import dev.jbpf.elf.ElfHeader;
import dev.jbpf.internal.CloseNames;
import dev.jbpf.internal.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where BPF objects come from: {@link #open(Path)} and {@link #open(byte[], String)} give an
 * {@link OpenedObject}, whose {@code load()} gives a {@link LoadedObject}. Static entry points
 * only; owns nothing.
 */
public final class BpfObject {
    /** How many names a not-found message offers. */
    private static final int OFFERED_NAMES = 3;

    private BpfObject() {
    }

    /**
     * Opens a BPF object file ({@code bpf_object__open_file}). Checks first that the file
     * exists and is an ELF file for machine EM_BPF, and says which check failed; a corrupt
     * or truncated object fails in libbpf, with libbpf's explanation in the message.
     *
     * @throws BpfNotFoundException when the file does not exist
     * @throws BpfException when it is not a BPF object, or libbpf cannot open it
     */
    public static OpenedObject open(Path path) {
        Objects.requireNonNull(path, "path");
        String target = path.toString();
        if (!Files.exists(path)) {
            throw new BpfNotFoundException("open object", target, Errno.ENOENT, null);
        }
        if (Files.isDirectory(path)) {
            throw new BpfException("open object", target, Errno.EISDIR, null);
        }
        byte[] header;
        try (InputStream in = Files.newInputStream(path)) {
            header = in.readNBytes(ElfHeader.BYTES);
        } catch (AccessDeniedException e) {
            throw new BpfException("open object", target, Errno.EACCES, "cannot read the file", e);
        } catch (IOException e) {
            throw new BpfException("open object", target, Errno.EIO, e.getMessage(), e);
        }
        requireBpfElf(header, target);
        return OpenedObject.openFile(path);
    }

    /**
     * Opens a BPF object from the bytes of its ELF file ({@code bpf_object__open_mem}); the
     * bytes are copied into native memory the object owns.
     *
     * @param name the object's name (libbpf would otherwise make one up from the address)
     */
    public static OpenedObject open(byte[] elf, String name) {
        Objects.requireNonNull(elf, "elf");
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("object name must not be empty");
        }
        requireBpfElf(elf, name);
        return OpenedObject.openMemory(elf, name);
    }

    /**
     * Checks the ELF header of a would-be BPF object before libbpf sees it, so that a wrong file
     * gets a message saying what it is. {@code header} is the file's first bytes (fewer when the
     * file is shorter): one too short to hold e_machine passes, and libbpf then reports the
     * truncation in its own words.
     */
    private static void requireBpfElf(byte[] header, String target) {
        if (!ElfHeader.hasMagic(header, header.length)) {
            throw new BpfException("open object", target, "is not an ELF file");
        }
        ElfHeader.parse(header, header.length).filter(elf -> elf.machine() != ElfHeader.EM_BPF).ifPresent(elf -> {
            throw new BpfException("open object", target, "is an ELF file for " + elf.machineName() + ", not a BPF object");
        });
    }

    /**
     * The item called {@code name}, or a {@link BpfNotFoundException} offering the names that
     * exist (the three closest when there are more). Shared by the program and map look-ups of both object stages.
     */
    static <T> T byName(List<T> items, Function<T, String> nameOf, String name, String kind, String objectName) {
        Objects.requireNonNull(name, kind + " name");
        for (T item : items) {
            if (nameOf.apply(item).equals(name)) {
                return item;
            }
        }
        // the names themselves while they are few, else the closest three: one short line either way
        throw new BpfNotFoundException("find " + kind, objectName + "/" + name, "no such " + kind
                + CloseNames.offer(name, items.stream().map(nameOf).toList(), OFFERED_NAMES, "the object has"));
    }
}
