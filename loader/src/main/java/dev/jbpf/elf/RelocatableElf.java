package dev.jbpf.elf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    /** Bytes of an {@code Elf64_Rel}: {@code r_offset}, {@code r_info}. */
    private static final int RELOCATION_BYTES = 16;
    /** {@code SHF_EXECINSTR}: the section holds code. */
    public static final long SHF_EXECINSTR = 0x4;
    /** {@code st_shndx} of an undefined (extern) symbol. */
    public static final int SHN_UNDEF = ElfReader.SHN_UNDEF;
    /** {@code STT_*} of a symbol's {@link Symbol#type()}. */
    public static final int STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;

    private final Path path;
    private final ByteOrder order;
    private final List<Section> sections;
    /** Each section's bytes by index: slices of the one heap copy of the file, never written. */
    private final List<ByteBuffer> contents;
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

    private RelocatableElf(Path path, ByteOrder order, List<Section> sections, List<ByteBuffer> contents,
            List<Symbol> symbols) {
        this.path = path;
        this.order = order;
        this.sections = List.copyOf(sections);
        this.contents = List.copyOf(contents);
        this.symbols = List.copyOf(symbols);
    }

    /**
     * Reads the object; a missing file is a {@link BpfNotFoundException}, one that is not a
     * BPF object or is malformed a {@link BpfException} saying which.
     */
    public static RelocatableElf read(Path path) {
        return ElfReader.read(path, true, RelocatableElf::parse);
    }

    private static RelocatableElf parse(ElfReader reader) throws IOException {
        String target = reader.path().toString();
        if (reader.type() != ElfHeader.ET_REL) {
            throw new BpfException(ElfReader.READ, target, "is not a relocatable object (ET_REL)");
        }
        if (reader.machine() != ElfHeader.EM_BPF) {
            throw new BpfException(ElfReader.READ, target, "is not a BPF object (e_machine " + reader.machine()
                    + ", not EM_BPF " + ElfHeader.EM_BPF + ")");
        }
        List<Section> sections = new ArrayList<>();
        List<ByteBuffer> contents = new ArrayList<>();
        List<Symbol> symbols = new ArrayList<>();
        for (ElfReader.Section s : reader.sections()) {
            sections.add(new Section(s.index(), s.name(), s.type(), s.flags(), s.offset(), s.size(), s.link(), s.info()));
            contents.add(reader.contents(s)); // bounds-checked here, so later reads of it cannot fail
            if (s.type() == ElfReader.SHT_SYMTAB) {
                for (ElfReader.SymbolEntry e : reader.symbols(s)) {
                    symbols.add(new Symbol(e.index(), e.name(), e.value(), e.size(), e.kind(), e.binding(), e.section()));
                }
            }
        }
        return new RelocatableElf(reader.path(), reader.order(), sections, contents, symbols);
    }

    public Path path() {
        return path;
    }

    /** The byte order of the object's data (little-endian for BPF objects built on x86). */
    public ByteOrder order() {
        return order;
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

    /** A copy of a section's bytes (none for a section that occupies no file bytes, such as .bss). */
    public byte[] bytes(Section section) {
        ByteBuffer bytes = contents.get(section.index());
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(0, copy);
        return copy;
    }

    /** The {@code SHT_REL} relocations that apply to a section, by offset. */
    public List<Relocation> relocations(Section target) {
        List<Relocation> result = new ArrayList<>();
        for (Section section : sections) {
            if (section.type() != ElfReader.SHT_REL || section.info() != target.index()) {
                continue;
            }
            ByteBuffer entries = contents.get(section.index());
            for (int at = 0; at + RELOCATION_BYTES <= entries.limit(); at += RELOCATION_BYTES) {
                long info = entries.getLong(at + 8);
                result.add(new Relocation(entries.getLong(at), (int) (info >>> 32), (int) info));
            }
        }
        return result;
    }
}
