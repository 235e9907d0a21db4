package dev.jbpf;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfFormatter;
import dev.jbpf.btf.BtfType;
import dev.jbpf.btf.BtfValueCodec;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.Owner;
import dev.jbpf.internal.MapMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The global variables of a BPF object ({@code .rodata}, {@code .data}, {@code .bss}, custom
 * {@code .data.*}/{@code .rodata.*} sections, {@code .kconfig}), by name and typed through the
 * object's BTF. Get one from {@link OpenedObject#globals()} (before load: set the initial
 * values, e.g. a {@code const volatile int target_pid} filter) or {@link LoadedObject#globals()}
 * (after load: read and write the kernel's live values).
 *
 * <p><b>Where the bytes are.</b> libbpf keeps one internal array map per data section and an
 * image of its value ({@code bpf_map__initial_value}): before load an anonymous memory copy,
 * which {@code bpf_object__load} copies into the map. Right after load, jbpf maps the same
 * address onto the map's own memory, as {@code bpf_object__load_skeleton} does, for sections
 * the kernel lets user space map ({@code BPF_F_MMAPABLE}: those with a global, non-static
 * variable). So after load a read sees what the BPF program wrote a moment ago and a write is
 * seen by the program at once, with no system call. Sections with only static variables are
 * read and written after load through map look-ups and updates of key 0 (a write then
 * replaces the whole section value, racing with the program's own writes to other variables
 * of that section).
 *
 * <p><b>Read-only.</b> libbpf freezes {@code .rodata*} and {@code .kconfig} when loading and maps
 * them read-only: after load, writes to them throw IllegalStateException (reads work).
 * {@code .kconfig} is filled by libbpf from the kernel configuration and never writable here.
 *
 * <p><b>Types.</b> {@link #set(String, Object)} and {@link #get(String, Class)} bind the Java type to
 * the variable's BTF type with the rules of {@link dev.jbpf.btf.BtfRecordCodec}: integers by exact
 * width (an {@code int} for a 4-byte C integer, signed or unsigned), {@code boolean},
 * {@code String} for char arrays (truncated to length - 1 bytes and NUL-terminated),
 * {@code byte[]} of the exact size, Java enums, records for structs, Java arrays for arrays.
 * A Java type that does not match, or an unknown name, is an IllegalArgumentException naming the
 * variable, its BTF type and its section. {@link #get(String)} returns the value as
 * {@link BtfFormatter} formats it.
 *
 * <p><b>Ownership.</b> Owns nothing: the memory belongs to libbpf's {@code struct bpf_object},
 * owned by the {@link OpenedObject} or {@link LoadedObject} that made this view. Once that
 * object is loaded (for a view of an OpenedObject) or closed, every method throws
 * IllegalStateException. Values are copied in and out, never handed out as segments. Reads and
 * writes of variables of 1, 2, 4 or 8 bytes are single memory accesses; larger ones are not atomic
 * with respect to a BPF program writing at the same time. Not meant for closing the object while
 * other threads still use the view.
 */
public final class GlobalVariables {
    /** Variable names may be qualified as "SECTION:NAME" when two sections define the same name. */
    private static final char QUALIFIER = ':';

    private final String objectName;
    private final Btf btf;
    private final boolean loaded;
    /** The object's state: closed with it; its close waits for reads and writes in progress. */
    private final Owner owner;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, List<Entry>> byName = new LinkedHashMap<>();
    private final Map<CodecKey, BtfValueCodec<?>> codecs = new ConcurrentHashMap<>();

    /** One data section: its internal map and how its bytes are reached. */
    private record Section(String name, MemorySegment map, int size, MemorySegment image, String readOnlyReason) {
        /** Null after load for maps that are not mmapable: reached through map syscalls instead. */
        boolean mapped() {
            return image != null;
        }
    }

    private record Entry(GlobalVariable variable, Section section) {
    }

    private record CodecKey(String qualifiedName, Class<?> type) {
    }

    private GlobalVariables(String objectName, Btf btf, boolean loaded, Owner owner) {
        this.objectName = objectName;
        this.btf = btf;
        this.loaded = loaded;
        this.owner = owner;
    }

    /**
     * The global variables of a libbpf {@code struct bpf_object}: before load ({@code loaded}
     * false) or after. {@code btf} is the object's BTF (null when it has none: then there are no
     * variables); {@code owner} is the object's state: once it is closed every method throws
     * IllegalStateException, and its close waits for reads and writes in progress.
     */
    static GlobalVariables of(MemorySegment object, String objectName, Btf btf, boolean loaded, Owner owner) {
        GlobalVariables globals = new GlobalVariables(objectName, btf, loaded, owner);
        if (btf != null) {
            for (MemorySegment map : ObjectPointers.maps(object)) {
                globals.addSection(map);
            }
        }
        return globals;
    }

    private void addSection(MemorySegment map) {
        if (!LibBpf.bpf_map__is_internal(map)) {
            return;
        }
        int valueTypeId = LibBpf.bpf_map__btf_value_type_id(map);
        if (valueTypeId <= 0 || !(btf.type(valueTypeId) instanceof BtfType.DataSection section)) {
            return; // e.g. .rodata.str1.1 (string literals): no BTF, no variables
        }
        if (loaded && LibBpf.bpf_map__fd(map) < 0) {
            return; // not created (autocreate off): no kernel memory behind it
        }
        int flags = LibBpf.bpf_map__map_flags(map);
        String readOnlyReason = null;
        if (section.name().equals(".kconfig")) {
            readOnlyReason = "is filled by libbpf from the kernel configuration";
        } else if (loaded && (flags & BpfConstants.BPF_F_RDONLY_PROG) != 0) {
            readOnlyReason = "is read-only after load (libbpf freezes " + section.name()
                    + " when loading; set it on the OpenedObject before load())";
        }
        MemorySegment image = null;
        int size;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizeOut = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment pointer = LibBpf.bpf_map__initial_value(map, sizeOut);
            size = (int) sizeOut.get(ValueLayout.JAVA_LONG, 0);
            if (pointer.equals(MemorySegment.NULL)) {
                size = LibBpf.bpf_map__value_size(map);
            } else if (!loaded || (flags & BpfConstants.BPF_F_MMAPABLE) != 0) {
                // before load: libbpf's image; after load: remapped onto the map's memory
                // (DataSectionMemory). libbpf owns it and unmaps it when the object closes; the
                // owner's use-guard keeps every read and write before that, so no arena is needed.
                image = MapMemory.view(pointer, size, Arena.global());
            }
        }
        if (!loaded && image == null) {
            return; // nothing to configure without libbpf's image
        }
        Section s = new Section(section.name(), map, size, image, readOnlyReason);
        for (BtfType.Variable v : section.variables()) {
            if (v.offset() < 0 || (long) v.offset() + v.size() > size) {
                continue; // not in the map's value (an extern libbpf resolves elsewhere)
            }
            GlobalVariable variable = new GlobalVariable(v.name(), section.name(), btf.typeName(v.typeId()),
                    v.typeId(), v.offset(), v.size(), readOnlyReason != null);
            Entry entry = new Entry(variable, s);
            entries.add(entry);
            byName.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(entry);
        }
    }

    /** True for the view of a loaded object (live kernel values), false before load. */
    public boolean isLoaded() {
        owner.ensureOpen();
        return loaded;
    }

    /**
     * The variable names, in section then declaration order; a name defined in two sections
     * appears qualified as "SECTION:NAME" (".data.custom:counter"), the form every method accepts.
     */
    public List<String> names() {
        owner.ensureOpen();
        List<String> names = new ArrayList<>();
        for (Entry entry : entries) {
            names.add(byName.get(entry.variable().name()).size() > 1 ? qualified(entry) : entry.variable().name());
        }
        return List.copyOf(names);
    }

    /** Every variable with its section, BTF type, offset and size. */
    public List<GlobalVariable> variables() {
        owner.ensureOpen();
        return entries.stream().map(Entry::variable).toList();
    }

    /** The variable called {@code name} (or "SECTION:NAME"); IllegalArgumentException when there is none. */
    public GlobalVariable variable(String name) {
        return entry(name).variable();
    }

    /** The object's BTF these variables are typed by (borrowed: owned by the object). */
    public Btf btf() {
        owner.ensureOpen();
        if (btf == null) {
            throw new BpfNotFoundException("get BTF of", objectName, "the object has no BTF (compile it with -g)");
        }
        return btf;
    }

    // ---- reading -------------------------------------------------------------------------------

    /** The variable's bytes, exactly {@link GlobalVariable#size()} of them. */
    public byte[] getBytes(String name) {
        Entry entry = entry(name);
        return read(entry);
    }

    /**
     * The value formatted through BTF ({@link BtfFormatter}): numbers as Long (BigInteger beyond
     * long), char arrays as String, enums by constant name, structs as Map, arrays as List.
     */
    public Object get(String name) {
        Entry entry = entry(name);
        return new BtfFormatter(btf).format(entry.variable().typeId(), read(entry));
    }

    /**
     * The value as {@code type} ({@code Integer.class}, {@code String.class}, a record class, a Java
     * enum, {@code long[].class}, ...), bound to the variable's BTF type; IllegalArgumentException
     * when they do not match.
     */
    @SuppressWarnings("unchecked") // the codec's values are of type (boxed when type is primitive)
    public <T> T get(String name, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Entry entry = entry(name);
        return (T) codec(entry, type).decode(read(entry));
    }

    /** A 4-byte integer (or enum) variable; unsigned values keep their bits. */
    public int getInt(String name) {
        return get(name, Integer.class);
    }

    /** An 8-byte integer variable; unsigned values keep their bits. */
    public long getLong(String name) {
        return get(name, Long.class);
    }

    /** A bool variable. */
    public boolean getBoolean(String name) {
        return get(name, Boolean.class);
    }

    /** A char array variable, up to its first NUL. */
    public String getString(String name) {
        return get(name, String.class);
    }

    // ---- writing -------------------------------------------------------------------------------

    /**
     * Sets the variable to value, typed through BTF (see the class comment): the Java type must
     * match the variable's type; the whole variable is replaced (struct members the record
     * lacks become 0).
     *
     * @throws IllegalArgumentException for an unknown name or a value that does not match the type
     * @throws IllegalStateException for a read-only variable (.rodata after load)
     */
    public GlobalVariables set(String name, Object value) {
        Objects.requireNonNull(value, "value");
        Entry entry = entry(name);
        Class<?> type = value instanceof Enum<?> constant ? constant.getDeclaringClass() : value.getClass();
        @SuppressWarnings("unchecked")
        BtfValueCodec<Object> codec = (BtfValueCodec<Object>) codec(entry, type);
        byte[] bytes;
        try {
            bytes = codec.encode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(entry) + ": " + e.getMessage(), e);
        }
        write(entry, bytes);
        return this;
    }

    /** Sets a 4-byte integer (or enum) variable; for unsigned ones the bits are stored as they are. */
    public GlobalVariables setInt(String name, int value) {
        return set(name, value);
    }

    /** Sets an 8-byte integer variable. */
    public GlobalVariables setLong(String name, long value) {
        return set(name, value);
    }

    /** Sets a bool variable. */
    public GlobalVariables setBoolean(String name, boolean value) {
        return set(name, value);
    }

    /** Sets a char array variable: UTF-8, truncated to its length - 1 bytes, NUL-terminated. */
    public GlobalVariables setString(String name, String value) {
        return set(name, value);
    }

    /** Sets the variable's raw bytes; exactly {@link GlobalVariable#size()} of them. */
    public GlobalVariables setBytes(String name, byte[] value) {
        Objects.requireNonNull(value, "value");
        Entry entry = entry(name);
        if (value.length != entry.variable().size()) {
            throw new IllegalArgumentException(describe(entry) + ": expected " + entry.variable().size()
                    + " bytes, got " + value.length);
        }
        write(entry, value.clone());
        return this;
    }

    // ---- internals -----------------------------------------------------------------------------

    private Entry entry(String name) {
        Objects.requireNonNull(name, "name");
        owner.ensureOpen();
        int colon = name.lastIndexOf(QUALIFIER);
        String section = colon > 0 ? name.substring(0, colon) : null;
        String plain = colon > 0 ? name.substring(colon + 1) : name;
        List<Entry> candidates = byName.getOrDefault(plain, List.of()).stream()
                .filter(e -> section == null || e.section().name().equals(section)).toList();
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            String known = names().isEmpty() && btf == null ? "; it has none (the object has no BTF: compile it with -g)"
                    : dev.jbpf.internal.CloseNames.offer(name, names(), 3, "it has");
            throw new IllegalArgumentException("object '" + objectName + "' has no global variable '" + name + "'" + known);
        }
        throw new IllegalArgumentException("global variable '" + name + "' of object '" + objectName
                + "' is defined in several sections: say which, as "
                + candidates.stream().map(GlobalVariables::qualified).collect(Collectors.joining(" or ")));
    }

    private static String qualified(Entry entry) {
        return entry.section().name() + QUALIFIER + entry.variable().name();
    }

    private static String describe(Entry entry) {
        GlobalVariable v = entry.variable();
        return "global variable '" + v.name() + "' (" + v.type() + ", " + v.size() + " bytes, section " + v.section() + ")";
    }

    private BtfValueCodec<?> codec(Entry entry, Class<?> type) {
        return codecs.computeIfAbsent(new CodecKey(qualified(entry), type), key -> {
            try {
                return BtfValueCodec.of(type, btf, entry.variable().typeId());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(describe(entry) + ": " + e.getMessage(), e);
            }
        });
    }

    private byte[] read(Entry entry) {
        GlobalVariable v = entry.variable();
        Section section = entry.section();
        // inside a use: a close from another thread waits, so the mapping is not unmapped under us
        try (Owner.Use use = owner.use(); Arena arena = Arena.ofConfined()) {
            if (section.mapped()) {
                return load(section.image(), v.offset(), v.size());
            }
            MemorySegment value = lookup(section, arena);
            return value.asSlice(v.offset(), v.size()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private void write(Entry entry, byte[] bytes) {
        owner.ensureOpen();
        Section section = entry.section();
        if (section.readOnlyReason() != null) {
            throw new IllegalStateException("global variable '" + entry.variable().name() + "' of section "
                    + section.name() + " " + section.readOnlyReason());
        }
        GlobalVariable v = entry.variable();
        // inside a use: a close from another thread waits, so the mapping is not unmapped under us
        try (Owner.Use use = owner.use(); Arena arena = Arena.ofConfined()) {
            if (section.mapped()) {
                store(section.image(), v.offset(), bytes);
                return;
            }
            MemorySegment value = lookup(section, arena);
            MemorySegment.copy(bytes, 0, value, ValueLayout.JAVA_BYTE, v.offset(), bytes.length);
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            LibBpfCall.check("update global variable " + v.name() + " of", objectName,
                    () -> LibBpf.bpf_map_update_elem(LibBpf.bpf_map__fd(section.map()), key, value, BpfConstants.BPF_ANY));
        }
    }

    /** The whole section value, through the map look-up syscall (key 0). */
    private MemorySegment lookup(Section section, Arena arena) {
        MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment value = arena.allocate(section.size(), 8);
        LibBpfCall.check("read section " + section.name() + " of", objectName,
                () -> LibBpf.bpf_map_lookup_elem(LibBpf.bpf_map__fd(section.map()), key, value));
        return value;
    }

    /** Copies size bytes; 1/2/4/8-byte values in one access, so a concurrent BPF write is never seen half done. */
    private static byte[] load(MemorySegment image, int offset, int size) {
        MemorySegment copy = MemorySegment.ofArray(new byte[size]);
        switch (size) {
            case 1 -> copy.set(ValueLayout.JAVA_BYTE, 0, image.get(ValueLayout.JAVA_BYTE, offset));
            case 2 -> copy.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, image.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
            case 4 -> copy.set(ValueLayout.JAVA_INT_UNALIGNED, 0, image.get(ValueLayout.JAVA_INT_UNALIGNED, offset));
            case 8 -> copy.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, image.get(ValueLayout.JAVA_LONG_UNALIGNED, offset));
            default -> MemorySegment.copy(image, offset, copy, 0, size);
        }
        return (byte[]) copy.heapBase().orElseThrow();
    }

    private static void store(MemorySegment image, int offset, byte[] bytes) {
        MemorySegment from = MemorySegment.ofArray(bytes);
        switch (bytes.length) {
            case 1 -> image.set(ValueLayout.JAVA_BYTE, offset, from.get(ValueLayout.JAVA_BYTE, 0));
            case 2 -> image.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, from.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
            case 4 -> image.set(ValueLayout.JAVA_INT_UNALIGNED, offset, from.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            case 8 -> image.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, from.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            default -> MemorySegment.copy(from, 0, image, offset, bytes.length);
        }
    }

    @Override
    public String toString() {
        return "GlobalVariables[" + objectName + (loaded ? ", loaded" : ", before load") + ", " + entries.size()
                + " variables]";
    }
}
