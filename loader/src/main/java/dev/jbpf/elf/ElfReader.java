package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.Errno;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The one reader of ELF64 files in jbpf: the file header, program headers, section headers
 * with their names, section contents, symbol tables and strings. {@link ElfFile} (executables
 * and libraries) and {@link RelocatableElf} (BPF objects) make their values from it;
 * {@link ElfHeader} is the part of it that needs only the first bytes.
 *
 * <p>Every read is bounds-checked against the file's size: a truncated or malformed file is a
 * {@link BpfException} saying "malformed ELF file: ..." and never a read out of bounds. Lives
 * only inside {@link #read}: the file is open while the parse function runs and closed when
 * {@code read} returns; nothing native is held.
 */
final class ElfReader {
    /** The verb of every message about a file that cannot be read. */
    static final String READ = "read ELF file";
    static final int PT_LOAD = 1;
    static final int SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11;
    static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_XINDEX = 0xffff;
    private static final int HEADER_BYTES = 64, PROGRAM_HEADER_BYTES = 56, SECTION_HEADER_BYTES = 64;
    /** Bytes of an {@code Elf64_Sym}. */
    static final int SYMBOL_BYTES = 24;

    /** A program header ({@code Elf64_Phdr}). */
    record ProgramHeader(int type, int flags, long offset, long virtualAddress, long fileSize, long memorySize) {
    }

    /** A section header ({@code Elf64_Shdr}), with its name from the section name table. */
    record Section(int index, String name, int type, long flags, long address, long offset, long size, int link,
            int info, long entrySize) {
    }

    /**
     * One {@code Elf64_Sym} as stored: {@code kind} is its {@code STT_*}, {@code binding} its
     * {@code STB_*}, {@code section} its {@code st_shndx}.
     */
    record SymbolEntry(int index, String name, long value, long size, int kind, int binding, int section) {
    }

    /** What a parse makes of the open reader; may throw the reader's exceptions. */
    @FunctionalInterface
    interface Parse<T> {
        T apply(ElfReader reader) throws IOException;
    }

    /** Where the bytes come from: positional reads of the open file, or the whole file read once. */
    private interface Source {
        ByteBuffer read(long offset, int length) throws IOException;
    }

    private final Path path;
    private final long fileSize;
    private Source source;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private ElfHeader identity;
    private long programHeaderOffset, sectionHeaderOffset;
    private int programHeaderSize, programHeaderCount, sectionHeaderSize, sectionHeaderCount, namesIndex;
    private List<Section> sections;

    private ElfReader(Path path, long fileSize, Source source) {
        this.path = path;
        this.fileSize = fileSize;
        this.source = source;
    }

    /**
     * Opens the file at {@code path}, reads its header and runs {@code parse} on it, closing the
     * file after. {@code wholeFile}: read the file into the heap once, so sections are slices of
     * it (for objects read whole anyway); otherwise every read is a positional read of just
     * what is asked (for large libraries).
     *
     * @throws BpfNotFoundException when there is no such file
     * @throws BpfException when it cannot be read, is not an ELF file, is not ELF64, or is
     *     truncated or malformed (saying which)
     */
    static <T> T read(Path path, boolean wholeFile, Parse<T> parse) {
        String target = path.toString();
        if (Files.isDirectory(path)) {
            throw new BpfException(READ, target, "is a directory");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ElfReader reader = new ElfReader(path, channel.size(), (offset, length) -> {
                ByteBuffer buffer = ByteBuffer.allocate(length);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) < 0) {
                        break; // the file shrank under us: the caller sees a short buffer
                    }
                }
                return buffer.flip();
            });
            if (wholeFile) {
                ByteBuffer whole = reader.bytes(0, reader.fileSize, "the file");
                reader.source = (offset, length) -> whole.slice((int) offset, length);
            }
            reader.readHeader();
            try {
                return parse.apply(reader);
            } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
                BpfException malformed = reader.malformed("a table or string runs past its section");
                malformed.initCause(e);
                throw malformed;
            }
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException(READ, target, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new BpfException(READ, target, Errno.EACCES, null, e);
        } catch (IOException e) {
            throw new BpfException(READ, target, e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    /** The byte order of the file's data (every buffer this reader returns is in it). */
    ByteOrder order() {
        return order;
    }

    /** {@code e_type}. */
    int type() {
        return identity.type();
    }

    /** {@code e_machine}. */
    int machine() {
        return identity.machine();
    }

    /** A "malformed ELF file" exception naming the file and what is wrong with it. */
    /** One ELF note: its type, its owner's name ("GNU", "stapsdt") and its descriptor, in this file's byte order. */
    record Note(int type, String owner, ByteBuffer descriptor) {
    }

    /**
     * The notes of a {@code SHT_NOTE} section's contents, in order (each name and descriptor
     * padded to 4 bytes); a note that runs past its section makes the file malformed.
     */
    List<Note> notes(ByteBuffer contents) {
        List<Note> notes = new ArrayList<>();
        int offset = 0;
        while (offset + 12 <= contents.limit()) {
            int nameSize = contents.getInt(offset);
            int descSize = contents.getInt(offset + 4);
            int type = contents.getInt(offset + 8);
            if (nameSize < 0 || descSize < 0) {
                throw malformed("negative note size");
            }
            int nameStart = offset + 12;
            int descStart = nameStart + align4(nameSize);
            int next = descStart + align4(descSize);
            if (next > contents.limit() || next <= offset) {
                throw malformed("a note runs past its section");
            }
            String owner = nameSize > 0 ? string(contents.slice(nameStart, nameSize), 0) : "";
            notes.add(new Note(type, owner, contents.slice(descStart, descSize).order(order())));
            offset = next;
        }
        return notes;
    }

    private static int align4(int size) {
        return (size + 3) & ~3;
    }

    BpfException malformed(String why) {
        return new BpfException(READ, path.toString(), "malformed ELF file: " + why);
    }

    private void readHeader() throws IOException {
        if (fileSize < 16) {
            throw new BpfException(READ, path.toString(), "is not an ELF file (" + fileSize + " bytes)");
        }
        ByteBuffer ident = bytes(0, 16, "ELF identification");
        byte[] prefix = new byte[ElfHeader.BYTES];
        ident.get(0, prefix, 0, 16);
        if (!ElfHeader.hasMagic(prefix, 16)) {
            throw new BpfException(READ, path.toString(), "is not an ELF file");
        }
        if (prefix[4] != ElfHeader.ELFCLASS64) {
            throw new BpfException(READ, path.toString(), prefix[4] == ElfHeader.ELFCLASS32
                    ? "is a 32-bit ELF file (ELFCLASS32); only 64-bit binaries are supported"
                    : "has an unknown ELF class " + prefix[4]);
        }
        order = switch (prefix[5]) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw malformed("unknown byte order " + prefix[5]);
        };
        ByteBuffer header = bytes(0, HEADER_BYTES, "ELF header");
        header.get(0, prefix);
        identity = ElfHeader.parse(prefix, prefix.length).orElseThrow();
        programHeaderOffset = header.getLong(32);
        sectionHeaderOffset = header.getLong(40);
        programHeaderSize = Short.toUnsignedInt(header.getShort(54));
        programHeaderCount = Short.toUnsignedInt(header.getShort(56));
        sectionHeaderSize = Short.toUnsignedInt(header.getShort(58));
        sectionHeaderCount = Short.toUnsignedInt(header.getShort(60));
        namesIndex = Short.toUnsignedInt(header.getShort(62));
    }

    /** The program headers, in file order (none for a relocatable object). */
    List<ProgramHeader> programHeaders() throws IOException {
        List<ProgramHeader> headers = new ArrayList<>();
        if (programHeaderCount == 0) {
            return headers;
        }
        if (programHeaderSize < PROGRAM_HEADER_BYTES) {
            throw malformed("program header entries of " + programHeaderSize + " bytes");
        }
        ByteBuffer table = bytes(programHeaderOffset, (long) programHeaderSize * programHeaderCount, "program headers");
        for (int i = 0; i < programHeaderCount; i++) {
            int base = i * programHeaderSize;
            headers.add(new ProgramHeader(table.getInt(base), table.getInt(base + 4), table.getLong(base + 8),
                    table.getLong(base + 16), table.getLong(base + 32), table.getLong(base + 40)));
        }
        return headers;
    }

    /** The section headers by index (index 0 is the null section), named; read once. */
    List<Section> sections() throws IOException {
        if (sections == null) {
            sections = readSections();
        }
        return sections;
    }

    private List<Section> readSections() throws IOException {
        if (sectionHeaderOffset == 0) {
            return List.of();
        }
        if (sectionHeaderSize < SECTION_HEADER_BYTES) {
            throw malformed("section header entries of " + sectionHeaderSize + " bytes");
        }
        int count = sectionHeaderCount;
        int names = namesIndex;
        if (count == 0 || names == SHN_XINDEX) {
            // Many sections: the real counts live in section 0 (ELF's extended numbering).
            ByteBuffer first = bytes(sectionHeaderOffset, SECTION_HEADER_BYTES, "section header 0");
            if (count == 0) {
                count = (int) Math.min(first.getLong(32), Integer.MAX_VALUE);
            }
            if (names == SHN_XINDEX) {
                names = first.getInt(40);
            }
        }
        ByteBuffer table = bytes(sectionHeaderOffset, (long) sectionHeaderSize * count, "section headers");
        // sh_name is an offset into the name table, itself a section: find that one first
        ByteBuffer nameTable = ByteBuffer.allocate(0);
        if (names > 0 && names < count) {
            nameTable = contents(section(table, names, ""));
        }
        List<Section> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(section(table, i, string(nameTable, table.getInt(i * sectionHeaderSize))));
        }
        return List.copyOf(all);
    }

    private Section section(ByteBuffer table, int index, String name) {
        int base = index * sectionHeaderSize;
        return new Section(index, name, table.getInt(base + 4), table.getLong(base + 8), table.getLong(base + 16),
                table.getLong(base + 24), table.getLong(base + 32), table.getInt(base + 40), table.getInt(base + 44),
                table.getLong(base + 56));
    }

    /** A section's bytes (none for {@code SHT_NOBITS}, which occupies no file bytes). */
    ByteBuffer contents(Section section) throws IOException {
        if (section.type() == SHT_NOBITS) {
            return ByteBuffer.allocate(0).order(order);
        }
        return bytes(section.offset(), section.size(), "section at offset " + section.offset());
    }

    /**
     * Every entry of a symbol table section ({@code SHT_SYMTAB} or {@code SHT_DYNSYM}), by
     * index: entry 0 is the reserved null symbol. Names come from the table's linked string table.
     */
    List<SymbolEntry> symbols(Section table) throws IOException {
        if (table.entrySize() != SYMBOL_BYTES && table.size() > 0) {
            throw malformed("symbol entries of " + table.entrySize() + " bytes");
        }
        List<Section> all = sections();
        if (table.link() <= 0 || table.link() >= all.size()) {
            throw malformed("symbol table without a string table");
        }
        ByteBuffer entries = contents(table);
        ByteBuffer strings = contents(all.get(table.link()));
        int count = (int) (table.size() / SYMBOL_BYTES);
        List<SymbolEntry> symbols = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int base = i * SYMBOL_BYTES;
            int info = Byte.toUnsignedInt(entries.get(base + 4));
            symbols.add(new SymbolEntry(i, string(strings, entries.getInt(base)), entries.getLong(base + 8),
                    entries.getLong(base + 16), info & 0xf, info >>> 4, Short.toUnsignedInt(entries.getShort(base + 6))));
        }
        return symbols;
    }

    /** {@code length} bytes at {@code offset}, or a malformed-file exception when outside the file. */
    ByteBuffer bytes(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset) {
            throw malformed(what + " (" + length + " bytes at offset " + offset + ") lies outside the "
                    + fileSize + "-byte file");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw malformed(what + " is " + length + " bytes");
        }
        ByteBuffer buffer = source.read(offset, (int) length);
        if (buffer.remaining() < length) {
            throw malformed(what + " is cut short");
        }
        return buffer.order(order);
    }

    /** The NUL-terminated string at {@code offset} of a string table ("" when out of range). */
    static String string(ByteBuffer table, int offset) {
        if (offset < 0 || offset >= table.limit()) {
            return "";
        }
        int end = offset;
        while (end < table.limit() && table.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        table.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
