package dev.jbpf.elf;

import dev.jbpf.internal.CloseNames;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
    public static final int ET_EXEC = ElfHeader.ET_EXEC, ET_DYN = ElfHeader.ET_DYN;
    private static final int SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERSYM = 0x6fffffff;
    private static final int VER_FLG_BASE = 1, VERSYM_HIDDEN = 0x8000, VERSYM_INDEX = 0x7fff;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int MAX_CLOSE_MATCHES = 8;

    private final Path path;
    private final int type;
    private final int machine;
    private final List<LoadSegment> loadSegments;
    private final List<ElfSymbol> symbols;
    private final List<UsdtProbe> usdtProbes;
    private final String buildId;
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
            List<UsdtProbe> usdtProbes, Set<String> imports, String buildId) {
        this.path = path;
        this.buildId = buildId;
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
        return ElfReader.read(path, false, reader -> new Parser(reader).parse());
    }

    /** Whether the file starts with the ELF magic (a cheap check; false when unreadable). */
    public static boolean isElf(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            channel.read(magic, 0);
            return ElfHeader.hasMagic(magic.array(), magic.position());
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

    /**
     * The file's GNU build ID (its {@code NT_GNU_BUILD_ID} note) in lower-case hex, empty when it
     * has none: the name of its separate debug file, /usr/lib/debug/.build-id/XX/REST.debug.
     */
    public Optional<String> buildId() {
        return Optional.ofNullable(buildId);
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
        throw UsdtProbes.notFound(usdtProbes, provider, name, "in " + path, "the binary");
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

    /** Makes an {@link ElfFile} of what {@link ElfReader} reads: segments, defined symbols with versions, USDT notes. */
    private static final class Parser {
        private final ElfReader reader;

        Parser(ElfReader reader) {
            this.reader = reader;
        }

        ElfFile parse() throws IOException {
            List<LoadSegment> segments = new ArrayList<>();
            for (ElfReader.ProgramHeader header : reader.programHeaders()) {
                if (header.type() == ElfReader.PT_LOAD) {
                    segments.add(new LoadSegment(header.offset(), header.virtualAddress(), header.fileSize(),
                            header.memorySize(), (header.flags() & 1) != 0));
                }
            }
            List<ElfReader.Section> sections = reader.sections();
            List<ElfSymbol> symbols = new ArrayList<>();
            Set<String> imports = new HashSet<>();
            for (ElfReader.Section section : sections) {
                if (section.type() == ElfReader.SHT_SYMTAB || section.type() == ElfReader.SHT_DYNSYM) {
                    readSymbols(sections, section, section.type() == ElfReader.SHT_DYNSYM, symbols, imports);
                }
            }

            List<UsdtProbe> probes = UsdtProbes.parse(reader);
            String buildId = null;
            for (ElfReader.Section section : sections) {
                if (section.type() == ElfReader.SHT_NOTE && buildId == null) {
                    buildId = buildIdNote(reader, reader.contents(section));
                }
            }
            return new ElfFile(reader.path(), reader.type(), reader.machine(), segments, symbols, probes, imports, buildId);
        }

        /** The hex of the GNU build-id note among {@code notes} (NT_GNU_BUILD_ID, owner "GNU"), or null. */
        private static String buildIdNote(ElfReader reader, ByteBuffer notes) {
            List<ElfReader.Note> all;
            try {
                all = reader.notes(notes);
            } catch (BpfException malformed) {
                return null; // no build id rather than a failed read
            }
            for (ElfReader.Note note : all) {
                ByteBuffer id = note.descriptor();
                if (note.type() == NT_GNU_BUILD_ID && note.owner().equals("GNU") && id.limit() > 0) {
                    byte[] bytes = new byte[id.limit()];
                    id.get(0, bytes);
                    return java.util.HexFormat.of().formatHex(bytes);
                }
            }
            return null;
        }

        private void readSymbols(List<ElfReader.Section> sections, ElfReader.Section table, boolean dynamic,
                List<ElfSymbol> out, Set<String> imports) throws IOException {
            List<ElfReader.SymbolEntry> entries = reader.symbols(table);
            ByteBuffer versym = null;
            Map<Integer, String> versionNames = Map.of();
            if (dynamic) {
                for (ElfReader.Section section : sections) {
                    if (section.type() == SHT_GNU_VERSYM) {
                        versym = reader.contents(section);
                    } else if (section.type() == SHT_GNU_VERDEF && section.link() > 0 && section.link() < sections.size()) {
                        versionNames = versionDefinitions(reader.contents(section),
                                reader.contents(sections.get(section.link())));
                    }
                }
            }
            for (ElfReader.SymbolEntry entry : entries) {
                int i = entry.index();
                int shndx = entry.section();
                String name = entry.name();
                if (i == 0 || name.isEmpty()) { // entry 0 is the reserved null symbol
                    continue;
                }
                if (shndx == ElfReader.SHN_UNDEF) {
                    if (dynamic) {
                        imports.add(name);
                    }
                    continue;
                }
                if (shndx >= ElfReader.SHN_LORESERVE && shndx != ElfReader.SHN_ABS && shndx != ElfReader.SHN_XINDEX) {
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
                out.add(new ElfSymbol(name, version, defaultVersion, entry.value(), entry.size(),
                        ElfSymbol.Kind.of(entry.kind()), ElfSymbol.Binding.of(entry.binding()), dynamic));
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
                    names.put(index & VERSYM_INDEX, ElfReader.string(strings, verdef.getInt(offset + aux)));
                }
                if (next <= 0) {
                    break;
                }
                offset += next;
            }
            return names;
        }
    }
}
