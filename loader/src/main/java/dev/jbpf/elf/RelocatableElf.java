package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A relocatable ELF64 BPF object ({@code ET_REL}, {@code EM_BPF}): a compiled {@code .bpf.o}, read whole
 * into the Java heap: its sections, its whole symbol table (undefined externs included) and
 * its {@code SHT_REL} relocations. {@link ElfFile} is for executables and libraries (segments,
 * defined symbols, USDT notes); this is what a disassembler of an unlinked object needs.
 * A plain immutable value: nothing native, the file is closed when {@link #read} returns.
 */
public final class RelocatableElf {
    private static final int SHT_SYMTAB = 2, SHT_REL = 9, EM_BPF = 247;
    /** {@code SHF_EXECINSTR}: the section holds code. */
    public static final long SHF_EXECINSTR = 0x4;
    /** {@code st_shndx} of an undefined (extern) symbol. */
    public static final int SHN_UNDEF = 0;
    /** {@code STT_*} of a symbol's {@link Symbol#type()}. */
    public static final int STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;

    private final Path path;
    private final ByteBuffer file;
    private final List<Section> sections;
    private final List<Symbol> symbols;

    /** A section header, with its name. */
    public record Section(int index, String name, int type, long flags, long offset, long size, int link, int info) {
        public boolean isCode() {
            return (flags & SHF_EXECINSTR) != 0;
        }
    }

    /** A symbol of .symtab: {@code section} is its st_shndx ({@link #SHN_UNDEF} for externs). */
    public record Symbol(int index, String name, long value, long size, int type, int binding, int section) {
    }

    /** A relocation of a section: the byte {@code offset} it patches and the symbol it names. */
    public record Relocation(long offset, int symbol, int type) {
    }

    private RelocatableElf(Path path, ByteBuffer file, List<Section> sections, List<Symbol> symbols) {
        this.path = path;
        this.file = file;
        this.sections = List.copyOf(sections);
        this.symbols = List.copyOf(symbols);
    }

    /** Reads the object; a missing file is a {@link BpfNotFoundException}, a malformed one a {@link BpfException}. */
    public static RelocatableElf read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException("read ELF file", path.toString(), "no such file");
        } catch (IOException e) {
            throw new BpfException("read ELF file", path.toString(), e.getMessage());
        }
        try {
            return parse(path, ByteBuffer.wrap(bytes));
        } catch (IndexOutOfBoundsException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new BpfException("read ELF file", path.toString(), "malformed ELF object: " + e.getMessage());
        }
    }

    private static RelocatableElf parse(Path path, ByteBuffer file) {
        if (file.limit() < 64 || file.get(0) != 0x7f || file.get(1) != 'E' || file.get(2) != 'L' || file.get(3) != 'F') {
            throw new BpfException("read ELF file", path.toString(), "is not an ELF file");
        }
        if (file.get(4) != 2) {
            throw new BpfException("read ELF file", path.toString(), "is not a 64-bit ELF file");
        }
        file.order(file.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (file.getShort(16) != 1) {
            throw new BpfException("read ELF file", path.toString(), "is not a relocatable object (ET_REL)");
        }
        int machine = file.getShort(18) & 0xffff;
        if (machine != EM_BPF) {
            throw new BpfException("read ELF file", path.toString(), "is not a BPF object (e_machine " + machine
                    + ", not EM_BPF " + EM_BPF + ")");
        }
        long sectionTable = file.getLong(0x28);
        int entrySize = file.getShort(0x3a) & 0xffff;
        int count = file.getShort(0x3c) & 0xffff;
        int namesIndex = file.getShort(0x3e) & 0xffff;
        long[][] raw = new long[count][];
        for (int i = 0; i < count; i++) {
            int at = Math.toIntExact(sectionTable + (long) i * entrySize);
            raw[i] = new long[] {file.getInt(at) & 0xffffffffL, file.getInt(at + 4) & 0xffffffffL, file.getLong(at + 8),
                file.getLong(at + 0x18), file.getLong(at + 0x20), file.getInt(at + 0x28), file.getInt(at + 0x2c)};
        }
        long namesOffset = raw[namesIndex][3];
        List<Section> sections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long[] s = raw[i];
            sections.add(new Section(i, string(file, namesOffset + s[0]), (int) s[1], s[2], s[3], s[4], (int) s[5],
                    (int) s[6]));
        }
        List<Symbol> symbols = new ArrayList<>();
        for (Section section : sections) {
            if (section.type() != SHT_SYMTAB) {
                continue;
            }
            long strings = sections.get(section.link()).offset();
            for (int i = 0; i < section.size() / 24; i++) {
                int at = Math.toIntExact(section.offset() + 24L * i);
                int info = file.get(at + 4) & 0xff;
                symbols.add(new Symbol(i, string(file, strings + (file.getInt(at) & 0xffffffffL)), file.getLong(at + 8),
                        file.getLong(at + 16), info & 0xf, info >> 4, file.getShort(at + 6) & 0xffff));
            }
        }
        return new RelocatableElf(path, file, sections, symbols);
    }

    private static String string(ByteBuffer file, long offset) {
        int start = Math.toIntExact(offset);
        int end = start;
        while (file.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        file.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public Path path() {
        return path;
    }

    /** The byte order of the object's data (little-endian for BPF objects built on x86). */
    public ByteOrder order() {
        return file.order();
    }

    public List<Section> sections() {
        return sections;
    }

    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Every symbol of .symtab, by index (index 0 is the null symbol). */
    public List<Symbol> symbols() {
        return symbols;
    }

    /** A copy of a section's bytes. */
    public byte[] bytes(Section section) {
        byte[] bytes = new byte[Math.toIntExact(section.size())];
        file.get(Math.toIntExact(section.offset()), bytes);
        return bytes;
    }

    /** The {@code SHT_REL} relocations that apply to a section, by offset. */
    public List<Relocation> relocations(Section target) {
        List<Relocation> result = new ArrayList<>();
        for (Section section : sections) {
            if (section.type() != SHT_REL || section.info() != target.index()) {
                continue;
            }
            for (int i = 0; i < section.size() / 16; i++) {
                int at = Math.toIntExact(section.offset() + 16L * i);
                long info = file.getLong(at + 8);
                result.add(new Relocation(file.getLong(at), (int) (info >>> 32), (int) info));
            }
        }
        return result;
    }
}
