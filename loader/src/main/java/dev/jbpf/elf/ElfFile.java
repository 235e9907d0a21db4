package dev.jbpf.elf;

import dev.jbpf.internal.CloseNames;

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A native ELF64 binary (executable or shared library) read into the Java heap: its type and
 * machine, its loadable segments, its defined symbols and its USDT probes. Resolves a function
 * name to the <em>file offset</em> a uprobe is attached at.
 *
 * <p>A plain immutable value: {@link #read} reads what it needs with positional reads and
 * closes the file before returning; nothing native is held. Only ELF64 (the class of every
 * binary a 64-bit kernel runs natively) is supported, of either byte order.
 */
public final class ElfFile {
    /** {@code e_type} of executables (non-PIE) and of shared objects (libraries and PIE executables). */
    public static final int ET_EXEC = 2, ET_DYN = 3;
    private static final int PT_LOAD = 1;
    private static final int SHT_SYMTAB = 2, SHT_NOTE = 7, SHT_DYNSYM = 11;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERSYM = 0x6fffffff;
    private static final int SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_XINDEX = 0xffff;
    private static final int VER_FLG_BASE = 1, VERSYM_HIDDEN = 0x8000, VERSYM_INDEX = 0x7fff;
    private static final int NT_STAPSDT = 3;
    private static final int MAX_CLOSE_MATCHES = 8;
    /** How many probe names a USDT not-found message offers. */
    private static final int OFFERED_PROBES = 3;
    private static final String READ = "read ELF file";

    private final Path path;
    private final int type;
    private final int machine;
    private final List<LoadSegment> loadSegments;
    private final List<ElfSymbol> symbols;
    private final List<UsdtProbe> usdtProbes;
    /** Names of the undefined (imported) symbols of .dynsym, for the not-found message. */
    private final Set<String> imports;
    /** {@link #functions()}, computed once: a lookup by name must not sort every symbol again. */
    private final List<ElfSymbol> functions;
    private final Map<String, List<ElfSymbol>> functionsByName;

    /**
     * A {@code PT_LOAD} program header: bytes {@code [offset, offset + fileSize)} of the file
     * are mapped at {@code [virtualAddress, virtualAddress + fileSize)}.
     */
    public record LoadSegment(long offset, long virtualAddress, long fileSize, long memorySize, boolean executable) {
        boolean containsAddress(long address) {
            return Long.compareUnsigned(address, virtualAddress) >= 0
                    && Long.compareUnsigned(address - virtualAddress, fileSize) < 0;
        }
    }

    private ElfFile(Path path, int type, int machine, List<LoadSegment> loadSegments, List<ElfSymbol> symbols,
            List<UsdtProbe> usdtProbes, Set<String> imports) {
        this.path = path;
        this.type = type;
        this.machine = machine;
        this.loadSegments = List.copyOf(loadSegments);
        this.symbols = List.copyOf(symbols);
        this.usdtProbes = List.copyOf(usdtProbes);
        this.imports = Set.copyOf(imports);
        Map<String, ElfSymbol> unique = new LinkedHashMap<>();
        for (ElfSymbol symbol : this.symbols) {
            if (symbol.isFunction()) {
                unique.merge(symbol.name() + "\0" + symbol.address(), symbol,
                        (first, second) -> first.version() != null || second.version() == null ? first : second);
            }
        }
        List<ElfSymbol> sorted = new ArrayList<>(unique.values());
        sorted.sort(Comparator.comparing(ElfSymbol::name).thenComparing(ElfSymbol::address));
        this.functions = List.copyOf(sorted);
        Map<String, List<ElfSymbol>> byName = new HashMap<>();
        for (ElfSymbol function : functions) {
            byName.computeIfAbsent(function.name(), name -> new ArrayList<>(1)).add(function);
        }
        this.functionsByName = byName; // never modified after this
    }

    /** The files read last, kept while unchanged: a uprobe attach resolves its symbol in them. */
    private static final ParsedFileCache<ElfFile> CACHE = new ParsedFileCache<>(16);

    /**
     * Reads the ELF file at {@code path}. Throws {@link BpfNotFoundException} when there is no
     * such file, and {@link BpfException} when it cannot be read, is not an ELF file, is not
     * ELF64, or is truncated or malformed (saying which).
     *
     * <p>The last 16 files read are kept: reading one again while it is unchanged (same path,
     * device, inode, size, modification and change times) returns the same instance without
     * reading the file. A file modified in the last 2 seconds is read every time.
     */
    public static ElfFile read(Path path) {
        Objects.requireNonNull(path, "path");
        return CACHE.get(path, ElfFile::parse);
    }

    private static ElfFile parse(Path path) {
        String target = path.toString();
        if (Files.isDirectory(path)) {
            throw new BpfException(READ, target, "is a directory");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new Reader(path, channel).read();
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException(READ, target, "no such file");
        } catch (AccessDeniedException e) {
            throw new BpfException(READ, target, Errno.EACCES, null);
        } catch (IOException e) {
            throw new BpfException(READ, target, e.getMessage());
        }
    }

    /** Whether the file starts with the ELF magic (a cheap check; false when unreadable). */
    public static boolean isElf(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            channel.read(magic, 0);
            return magic.position() == 4 && magic.get(0) == 0x7f && magic.get(1) == 'E' && magic.get(2) == 'L'
                    && magic.get(3) == 'F';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    /** {@code e_type}: {@link #ET_EXEC}, {@link #ET_DYN}, ... */
    public int type() {
        return type;
    }

    /** {@code e_machine}: 62 for x86-64, 183 for AArch64, ... */
    public int machine() {
        return machine;
    }

    /** The {@code PT_LOAD} segments, in file order. */
    public List<LoadSegment> loadSegments() {
        return loadSegments;
    }

    /**
     * Every defined symbol of {@code .symtab} and {@code .dynsym} (a symbol present in both is
     * listed twice, once with {@code dynamic} true), undefined (imported) ones left out.
     */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /**
     * The defined functions, one per name, version and address (the {@code .dynsym} entry,
     * which carries the version, wins over the same {@code .symtab} one), sorted by name.
     */
    public List<ElfSymbol> functions() {
        return functions;
    }

    /** The USDT probes of the binary ({@code .note.stapsdt}), in file order. */
    public List<UsdtProbe> usdtProbes() {
        return usdtProbes;
    }

    /**
     * The probe {@code provider:name}, or a {@link BpfNotFoundException} offering the probes the
     * binary has (the closest three when it has more).
     */
    public UsdtProbe usdtProbe(String provider, String name) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(name, "name");
        for (UsdtProbe probe : usdtProbes) {
            if (probe.provider().equals(provider) && probe.name().equals(name)) {
                return probe;
            }
        }
        // libjvm has hundreds of probes: offer the closest three, not all of them
        List<String> known = usdtProbes.stream().map(UsdtProbe::qualifiedName).distinct().sorted().toList();
        throw new BpfNotFoundException("find USDT probe", provider + ":" + name + " in " + path,
                usdtProbes.isEmpty() ? "the binary has no USDT probes (no .note.stapsdt section)"
                        : "no such probe" + CloseNames.offer(provider + ":" + name, known, OFFERED_PROBES, "the binary has"));
    }

    /**
     * The function named {@code query}: a plain name ({@code "malloc"}) or one with a version
     * ({@code "malloc@@GLIBC_2.2.5"} for the default version, {@code "memcpy@GLIBC_2.2.5"} for
     * that version, default or not). When a plain name has several definitions at different
     * addresses, the default-versioned or unversioned one is taken, then a global over a
     * local one.
     *
     * @throws BpfNotFoundException when no function has that name (the message lists close
     *     matches) or it is only imported
     * @throws BpfException when the name is ambiguous, or is an indirect function (its address
     *     is a resolver the dynamic linker runs once: probe the implementation instead)
     */
    public ElfSymbol function(String query) {
        Objects.requireNonNull(query, "query");
        String target = query + " in " + path;
        int at = query.indexOf('@');
        String name = at < 0 ? query : query.substring(0, at);
        String version = at < 0 ? null : query.substring(query.startsWith("@@", at) ? at + 2 : at + 1);
        boolean wantDefault = at >= 0 && query.startsWith("@@", at);
        if (name.isEmpty() || (version != null && version.isEmpty())) {
            throw new IllegalArgumentException("bad symbol name '" + query + "': use name, name@VERSION or name@@VERSION");
        }
        List<ElfSymbol> candidates = new ArrayList<>();
        for (ElfSymbol symbol : functionsByName.getOrDefault(name, List.of())) {
            if (symbol.name().equals(name) && (version == null
                    || (version.equals(symbol.version()) && (!wantDefault || symbol.defaultVersion())))) {
                candidates.add(symbol);
            }
        }
        if (candidates.isEmpty()) {
            throw notFound(query, name, target);
        }
        if (version == null && candidates.size() > 1) {
            candidates = preferred(candidates, s -> s.version() == null || s.defaultVersion());
            candidates = preferred(candidates, s -> s.binding() != ElfSymbol.Binding.LOCAL);
            candidates = preferred(candidates, s -> s.binding() == ElfSymbol.Binding.GLOBAL);
        }
        if (candidates.size() > 1 && candidates.stream().map(ElfSymbol::address).distinct().count() > 1) {
            throw new BpfException("find symbol", target, "ambiguous: " + candidates.stream()
                    .map(s -> s.qualifiedName() + " (" + s.binding().name().toLowerCase() + ") at 0x"
                            + Long.toHexString(s.address()))
                    .collect(Collectors.joining(", ")) + "; give the version (name@@VERSION) or a file offset");
        }
        ElfSymbol symbol = candidates.get(0);
        if (symbol.kind() == ElfSymbol.Kind.INDIRECT_FUNCTION) {
            throw new BpfException("find symbol", target, symbol.qualifiedName() + " is an indirect function "
                    + "(STT_GNU_IFUNC): its address is a resolver the dynamic linker calls once to choose an "
                    + "implementation, so a probe there would not see the calls; probe the implementation instead"
                    + closeMatchesSuffix(name));
        }
        return symbol;
    }

    /** Like {@link #function} but empty instead of the not-found exception. */
    public Optional<ElfSymbol> findFunction(String query) {
        try {
            return Optional.of(function(query));
        } catch (BpfNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The defined, non-indirect functions whose names match a glob {@code pattern} ({@code *}
     * any characters, {@code ?} one character), one per address, sorted by name.
     */
    public List<ElfSymbol> functionsMatching(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        Pattern regex = Pattern.compile(globToRegex(pattern));
        Map<Long, ElfSymbol> byAddress = new LinkedHashMap<>();
        for (ElfSymbol symbol : functions()) {
            if (symbol.kind() == ElfSymbol.Kind.FUNCTION && regex.matcher(symbol.name()).matches()) {
                byAddress.merge(symbol.address(), symbol, (first, second) -> preferForListing(first, second));
            }
        }
        return byAddress.values().stream().sorted(Comparator.comparing(ElfSymbol::name)).toList();
    }

    /**
     * The file offset where the byte at virtual address {@code address} is stored, through the
     * {@code PT_LOAD} segment that maps it: the offset uprobes are attached at.
     *
     * @throws BpfException when no loadable segment maps the address
     */
    public long fileOffset(long address) {
        for (LoadSegment segment : loadSegments) {
            if (segment.containsAddress(address)) {
                return address - segment.virtualAddress() + segment.offset();
            }
        }
        throw new BpfException("find file offset", "of address 0x" + Long.toHexString(address) + " in " + path,
                "no loadable segment (PT_LOAD) of the file maps it");
    }

    /** {@link #fileOffset} of {@link #function}{@code (query)}. */
    public long fileOffsetOf(String query) {
        return fileOffset(function(query).address());
    }

    @Override
    public String toString() {
        return "ElfFile[" + path + ", " + symbols.size() + " symbols, " + usdtProbes.size() + " USDT probes]";
    }

    private BpfNotFoundException notFound(String query, String name, String target) {
        for (ElfSymbol symbol : symbols) {
            if (symbol.name().equals(name) && !symbol.isFunction()) {
                return new BpfNotFoundException("find symbol", target, name + " is not a function there (it is "
                        + symbol.kind().name().toLowerCase() + " at 0x" + Long.toHexString(symbol.address()) + ")");
            }
        }
        String versions = functions().stream().filter(s -> s.name().equals(name)).map(ElfSymbol::qualifiedName)
                .collect(Collectors.joining(", "));
        if (!versions.isEmpty()) {
            return new BpfNotFoundException("find symbol", target, "no function " + query + "; defined: " + versions);
        }
        if (imports.contains(name)) {
            return new BpfNotFoundException("find symbol", target, name + " is imported, not defined there: "
                    + "probe the library that defines it");
        }
        return new BpfNotFoundException("find symbol", target, "no function of that name" + closeMatchesSuffix(name));
    }

    private String closeMatchesSuffix(String name) {
        List<String> close = closeMatches(name);
        return close.isEmpty() ? "" : "; similar: " + String.join(", ", close);
    }

    /** Function names close to {@code name} ({@link CloseNames}); an indirect function of that very name is left out. */
    List<String> closeMatches(String name) {
        List<String> candidates = functions().stream()
                .filter(symbol -> !(symbol.name().equals(name) && symbol.kind() == ElfSymbol.Kind.INDIRECT_FUNCTION))
                .map(ElfSymbol::name).distinct().toList();
        return CloseNames.closest(name, candidates, MAX_CLOSE_MATCHES);
    }

    private static List<ElfSymbol> preferred(List<ElfSymbol> candidates, java.util.function.Predicate<ElfSymbol> test) {
        List<ElfSymbol> better = candidates.stream().filter(test).toList();
        return better.isEmpty() ? candidates : better;
    }

    private static ElfSymbol preferForListing(ElfSymbol first, ElfSymbol second) {
        if (first.binding() != ElfSymbol.Binding.GLOBAL && second.binding() == ElfSymbol.Binding.GLOBAL) {
            return second;
        }
        return first;
    }

    static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /** Parses one file; every read is bounds-checked against the file's size. */
    private static final class Reader {
        private final Path path;
        private final FileChannel channel;
        private final long fileSize;
        private ByteOrder order;

        Reader(Path path, FileChannel channel) throws IOException {
            this.path = path;
            this.channel = channel;
            this.fileSize = channel.size();
        }

        private BpfException malformed(String why) {
            return new BpfException(READ, path.toString(), "malformed ELF file: " + why);
        }

        ElfFile read() throws IOException {
            if (fileSize < 16) {
                throw new BpfException(READ, path.toString(), "is not an ELF file (" + fileSize + " bytes)");
            }
            ByteBuffer ident = bytes(0, 16, "ELF identification");
            if (ident.get(0) != 0x7f || ident.get(1) != 'E' || ident.get(2) != 'L' || ident.get(3) != 'F') {
                throw new BpfException(READ, path.toString(), "is not an ELF file");
            }
            if (ident.get(4) != 2) {
                throw new BpfException(READ, path.toString(), ident.get(4) == 1
                        ? "is a 32-bit ELF file (ELFCLASS32); only 64-bit binaries are supported"
                        : "has an unknown ELF class " + ident.get(4));
            }
            order = switch (ident.get(5)) {
                case 1 -> ByteOrder.LITTLE_ENDIAN;
                case 2 -> ByteOrder.BIG_ENDIAN;
                default -> throw malformed("unknown byte order " + ident.get(5));
            };
            try {
                return parse();
            } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
                throw malformed("a table or string runs past its section");
            }
        }

        private ElfFile parse() throws IOException {
            ByteBuffer header = bytes(0, 64, "ELF header");
            int type = Short.toUnsignedInt(header.getShort(16));
            int machine = Short.toUnsignedInt(header.getShort(18));
            long phoff = header.getLong(32);
            long shoff = header.getLong(40);
            int phentsize = Short.toUnsignedInt(header.getShort(54));
            int phnum = Short.toUnsignedInt(header.getShort(56));
            int shentsize = Short.toUnsignedInt(header.getShort(58));
            int shnum = Short.toUnsignedInt(header.getShort(60));
            int shstrndx = Short.toUnsignedInt(header.getShort(62));

            List<LoadSegment> segments = new ArrayList<>();
            if (phnum > 0) {
                if (phentsize < 56) {
                    throw malformed("program header entries of " + phentsize + " bytes");
                }
                ByteBuffer table = bytes(phoff, (long) phentsize * phnum, "program headers");
                for (int i = 0; i < phnum; i++) {
                    int base = i * phentsize;
                    if (table.getInt(base) == PT_LOAD) {
                        segments.add(new LoadSegment(table.getLong(base + 8), table.getLong(base + 16),
                                table.getLong(base + 32), table.getLong(base + 40), (table.getInt(base + 4) & 1) != 0));
                    }
                }
            }

            List<Section> sections = new ArrayList<>();
            if (shoff != 0) {
                if (shentsize < 64) {
                    throw malformed("section header entries of " + shentsize + " bytes");
                }
                if (shnum == 0 || shstrndx == SHN_XINDEX) {
                    // Many sections: the real counts live in section 0 (ELF's extended numbering).
                    ByteBuffer first = bytes(shoff, 64, "section header 0");
                    if (shnum == 0) {
                        shnum = (int) Math.min(first.getLong(32), Integer.MAX_VALUE);
                    }
                    if (shstrndx == SHN_XINDEX) {
                        shstrndx = first.getInt(40);
                    }
                }
                ByteBuffer table = bytes(shoff, (long) shentsize * shnum, "section headers");
                for (int i = 0; i < shnum; i++) {
                    int base = i * shentsize;
                    sections.add(new Section(table.getInt(base), table.getInt(base + 4), table.getLong(base + 16),
                            table.getLong(base + 24), table.getLong(base + 32), table.getInt(base + 40),
                            table.getLong(base + 56)));
                }
            }
            Map<Integer, String> sectionNames = new HashMap<>();
            if (shstrndx > 0 && shstrndx < sections.size()) {
                ByteBuffer names = contents(sections.get(shstrndx));
                for (int i = 0; i < sections.size(); i++) {
                    sectionNames.put(i, string(names, sections.get(i).name()));
                }
            }

            List<ElfSymbol> symbols = new ArrayList<>();
            Set<String> imports = new HashSet<>();
            for (int i = 0; i < sections.size(); i++) {
                Section section = sections.get(i);
                if (section.type() == SHT_SYMTAB || section.type() == SHT_DYNSYM) {
                    readSymbols(sections, section, section.type() == SHT_DYNSYM, symbols, imports);
                }
            }

            List<UsdtProbe> probes = new ArrayList<>();
            Long stapsdtBase = null;
            for (int i = 0; i < sections.size(); i++) {
                if (".stapsdt.base".equals(sectionNames.get(i))) {
                    stapsdtBase = sections.get(i).address();
                }
            }
            for (int i = 0; i < sections.size(); i++) {
                if (sections.get(i).type() == SHT_NOTE && ".note.stapsdt".equals(sectionNames.get(i))) {
                    readUsdtNotes(contents(sections.get(i)), stapsdtBase, probes);
                }
            }
            return new ElfFile(path, type, machine, segments, symbols, probes, imports);
        }

        private void readSymbols(List<Section> sections, Section table, boolean dynamic, List<ElfSymbol> out,
                Set<String> imports) throws IOException {
            if (table.entrySize() != 24 && table.size() > 0) {
                throw malformed("symbol entries of " + table.entrySize() + " bytes");
            }
            if (table.link() <= 0 || table.link() >= sections.size()) {
                throw malformed("symbol table without a string table");
            }
            ByteBuffer entries = contents(table);
            ByteBuffer strings = contents(sections.get(table.link()));
            ByteBuffer versym = null;
            Map<Integer, String> versionNames = Map.of();
            if (dynamic) {
                for (Section section : sections) {
                    if (section.type() == SHT_GNU_VERSYM) {
                        versym = contents(section);
                    } else if (section.type() == SHT_GNU_VERDEF && section.link() > 0 && section.link() < sections.size()) {
                        versionNames = versionDefinitions(contents(section), contents(sections.get(section.link())));
                    }
                }
            }
            int count = (int) (table.size() / 24);
            for (int i = 1; i < count; i++) { // entry 0 is the reserved null symbol
                int base = i * 24;
                int info = Byte.toUnsignedInt(entries.get(base + 4));
                int shndx = Short.toUnsignedInt(entries.getShort(base + 6));
                String name = string(strings, entries.getInt(base));
                if (name.isEmpty()) {
                    continue;
                }
                if (shndx == SHN_UNDEF) {
                    if (dynamic) {
                        imports.add(name);
                    }
                    continue;
                }
                if (shndx >= SHN_LORESERVE && shndx != SHN_ABS && shndx != SHN_XINDEX) {
                    continue; // common or processor-specific: not code in this file
                }
                String version = null;
                boolean defaultVersion = false;
                int at = name.indexOf('@');
                if (at > 0) { // .symtab of some objects spells the version into the name
                    boolean twoAts = name.startsWith("@@", at);
                    version = name.substring(at + (twoAts ? 2 : 1));
                    defaultVersion = twoAts;
                    name = name.substring(0, at);
                    if (version.isEmpty()) {
                        version = null;
                        defaultVersion = false;
                    }
                } else if (versym != null && (long) i * 2 + 2 <= versym.limit()) {
                    int index = Short.toUnsignedInt(versym.getShort(i * 2));
                    version = versionNames.get(index & VERSYM_INDEX);
                    defaultVersion = version != null && (index & VERSYM_HIDDEN) == 0;
                }
                out.add(new ElfSymbol(name, version, defaultVersion, entries.getLong(base + 8),
                        entries.getLong(base + 16), ElfSymbol.Kind.of(info & 0xf), ElfSymbol.Binding.of(info >>> 4),
                        dynamic));
            }
        }

        /** Version index → name from {@code .gnu.version_d}; the base (file name) entry is left out. */
        private Map<Integer, String> versionDefinitions(ByteBuffer verdef, ByteBuffer strings) {
            Map<Integer, String> names = new HashMap<>();
            int offset = 0;
            for (int guard = 0; guard < 65536 && offset >= 0 && offset + 20 <= verdef.limit(); guard++) {
                int flags = Short.toUnsignedInt(verdef.getShort(offset + 2));
                int index = Short.toUnsignedInt(verdef.getShort(offset + 4));
                int count = Short.toUnsignedInt(verdef.getShort(offset + 6));
                int aux = verdef.getInt(offset + 12);
                int next = verdef.getInt(offset + 16);
                if (count > 0 && (flags & VER_FLG_BASE) == 0 && aux >= 0 && offset + aux + 8 <= verdef.limit()) {
                    names.put(index & VERSYM_INDEX, string(strings, verdef.getInt(offset + aux)));
                }
                if (next <= 0) {
                    break;
                }
                offset += next;
            }
            return names;
        }

        private void readUsdtNotes(ByteBuffer notes, Long stapsdtBase, List<UsdtProbe> out) {
            int offset = 0;
            while (offset + 12 <= notes.limit()) {
                int nameSize = notes.getInt(offset);
                int descSize = notes.getInt(offset + 4);
                int type = notes.getInt(offset + 8);
                if (nameSize < 0 || descSize < 0) {
                    throw malformed("negative note size");
                }
                int nameStart = offset + 12;
                int descStart = nameStart + align4(nameSize);
                int next = descStart + align4(descSize);
                if (next > notes.limit() || next <= offset) {
                    throw malformed("a USDT note runs past its section");
                }
                String owner = nameSize > 0 ? string(notes.slice(nameStart, nameSize), 0) : "";
                if (type == NT_STAPSDT && owner.equals("stapsdt") && descSize >= 24 + 3) {
                    ByteBuffer desc = notes.slice(descStart, descSize).order(order);
                    long pc = desc.getLong(0);
                    long base = desc.getLong(8);
                    long semaphore = desc.getLong(16);
                    String provider = string(desc, 24);
                    int nameAt = 24 + provider.getBytes(StandardCharsets.UTF_8).length + 1;
                    String name = string(desc, nameAt);
                    int argsAt = nameAt + name.getBytes(StandardCharsets.UTF_8).length + 1;
                    String arguments = argsAt < descSize ? string(desc, argsAt) : "";
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
                offset = next;
            }
        }

        private static int align4(int size) {
            return (size + 3) & ~3;
        }

        private ByteBuffer contents(Section section) throws IOException {
            if (section.type() == 8) { // SHT_NOBITS: occupies no file bytes
                return ByteBuffer.allocate(0).order(order);
            }
            return bytes(section.offset(), section.size(), "section at offset " + section.offset());
        }

        /** {@code length} bytes at {@code offset}, or a malformed-file exception when outside the file. */
        private ByteBuffer bytes(long offset, long length, String what) throws IOException {
            if (offset < 0 || length < 0 || offset > fileSize || length > fileSize - offset) {
                throw malformed(what + " (" + length + " bytes at offset " + offset + ") lies outside the "
                        + fileSize + "-byte file");
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw malformed(what + " is " + length + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw malformed(what + " is cut short");
                }
            }
            return buffer.flip().order(order == null ? ByteOrder.LITTLE_ENDIAN : order);
        }

        /** The NUL-terminated string at {@code offset} of a string table ("" when out of range). */
        private String string(ByteBuffer table, int offset) {
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

    private record Section(int name, int type, long address, long offset, long size, int link, long entrySize) {
    }
}
