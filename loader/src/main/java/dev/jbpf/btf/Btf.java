package dev.jbpf.btf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Access;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A set of BTF types: an object's own BTF or one loaded from the kernel by id.
 *
 * <p>Ownership: {@link #fromKernel(int)} gives a Btf that owns its libbpf {@code struct btf}
 * and frees it on {@link #close()}. {@link #borrowed(MemorySegment, Runnable)} wraps the BTF
 * of a loaded object, which the object owns; closing such a Btf does nothing. Decoded
 * {@link BtfType}s are plain Java values and stay valid after close.
 */
public final class Btf implements AutoCloseable {
    // BTF kinds, from the kernel's uapi linux/btf.h (a stable ABI).
    static final int KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5,
            KIND_ENUM = 6, KIND_FWD = 7, KIND_TYPEDEF = 8, KIND_VOLATILE = 9, KIND_CONST = 10,
            KIND_RESTRICT = 11, KIND_FUNC = 12, KIND_FUNC_PROTO = 13, KIND_VAR = 14, KIND_DATASEC = 15,
            KIND_FLOAT = 16, KIND_DECL_TAG = 17, KIND_TYPE_TAG = 18, KIND_ENUM64 = 19;
    /** struct btf_type: name_off, info, size-or-type; kind-specific data follows it. */
    private static final int TYPE_HEADER = 12;
    private static final int INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4;

    private final MemorySegment btf;
    private final boolean owned;
    private final Runnable ensureOwnerOpen;
    private final Map<Integer, BtfType> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Btf(MemorySegment btf, boolean owned, Runnable ensureOwnerOpen) {
        this.btf = btf;
        this.owned = owned;
        this.ensureOwnerOpen = ensureOwnerOpen;
    }

    /** Loads the BTF object the kernel knows by this id (a map's or program's btf_id). Owned: close it. */
    public static Btf fromKernel(int btfId) {
        MemorySegment btf = LibBpf.btf__load_from_kernel_by_id(btfId);
        if (btf.address() == 0) {
            throw BpfException.of("load BTF", "id " + btfId, LibBpf.errno(), null);
        }
        return new Btf(btf, true, () -> { });
    }

    /** The running kernel's own BTF (vmlinux). Owned: close it. */
    public static Btf vmlinux() {
        MemorySegment btf = LibBpf.btf__load_vmlinux_btf();
        if (btf.address() == 0) {
            throw BpfException.of("load BTF", "of the running kernel", LibBpf.errno(), null);
        }
        return new Btf(btf, true, () -> { });
    }

    /** Reads the .BTF section of an ELF file, such as a compiled .bpf.o. Owned: close it. */
    public static Btf fromElf(java.nio.file.Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment btf = LibBpf.btf__parse_elf(arena.allocateFrom(path.toString()), MemorySegment.NULL);
            if (btf.address() == 0) {
                throw BpfException.of("read BTF from", path.toString(), LibBpf.errno(), null);
            }
            return new Btf(btf, true, () -> { });
        }
    }

    static {
        Access.register(Btf::borrowed);
    }

    /**
     * Wraps a {@code struct btf *} that another owner (a loaded object) frees (through
     * {@code internal.Access.btfs()}); {@code ensureOwnerOpen} throws IllegalStateException once
     * that owner is closed.
     */
    private static Btf borrowed(MemorySegment btf, Runnable ensureOwnerOpen) {
        return new Btf(btf, false, ensureOwnerOpen);
    }

    /** How many types there are, void (id 0) included. */
    public int typeCount() {
        ensureOpen();
        return LibBpf.btf__type_cnt(btf);
    }

    /** The type with this id. */
    public BtfType type(int id) {
        ensureOpen();
        if (id < 0 || id >= LibBpf.btf__type_cnt(btf)) {
            throw new BpfNotFoundException("find BTF type", "id " + id, "this BTF has " + LibBpf.btf__type_cnt(btf) + " types");
        }
        return cache.computeIfAbsent(id, this::decode);
    }

    /** The struct (or, failing that, the union) of this name. */
    public Optional<BtfType.Struct> findStruct(String name) {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            for (int kind : new int[] {KIND_STRUCT, KIND_UNION}) {
                int id = LibBpf.btf__find_by_name_kind(btf, cName, kind);
                if (id > 0) {
                    return Optional.of((BtfType.Struct) type(id));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The first type of this kind called {@code name} ({@code btf__find_by_name_kind}), e.g.
     * {@code find(BtfType.Function.class, "do_sys_openat2")}, {@code find(BtfType.Enum.class,
     * "bpf_map_type")}. {@code Struct} finds structs, then unions; {@code Enum} 32-, then 64-bit
     * enums; {@code Qualifier} type tags. Kinds that are always anonymous ({@code Pointer},
     * {@code Array}, {@code FuncProto}, {@code Void}) find nothing.
     */
    public <T extends BtfType> Optional<T> find(Class<T> kind, String name) {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(name, "name");
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            for (int btfKind : kindsOf(kind)) {
                int id = LibBpf.btf__find_by_name_kind(btf, cName, btfKind);
                if (id > 0) {
                    BtfType type = type(id);
                    if (kind.isInstance(type)) {
                        return Optional.of(kind.cast(type));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static int[] kindsOf(Class<? extends BtfType> kind) {
        if (kind == BtfType.Int.class) {
            return new int[] {KIND_INT};
        } else if (kind == BtfType.Struct.class) {
            return new int[] {KIND_STRUCT, KIND_UNION};
        } else if (kind == BtfType.Enum.class) {
            return new int[] {KIND_ENUM, KIND_ENUM64};
        } else if (kind == BtfType.Forward.class) {
            return new int[] {KIND_FWD};
        } else if (kind == BtfType.Typedef.class) {
            return new int[] {KIND_TYPEDEF};
        } else if (kind == BtfType.Qualifier.class) {
            return new int[] {KIND_TYPE_TAG};
        } else if (kind == BtfType.Function.class) {
            return new int[] {KIND_FUNC};
        } else if (kind == BtfType.Var.class) {
            return new int[] {KIND_VAR};
        } else if (kind == BtfType.DataSection.class) {
            return new int[] {KIND_DATASEC};
        } else if (kind == BtfType.Float.class) {
            return new int[] {KIND_FLOAT};
        } else if (kind == BtfType.DeclTag.class) {
            return new int[] {KIND_DECL_TAG};
        }
        return new int[0];
    }

    /**
     * Every type, id 1 up (void excluded), decoded lazily as the stream is consumed. The
     * stream must be consumed before this BTF closes.
     */
    public java.util.stream.Stream<BtfType> types() {
        ensureOpen();
        return java.util.stream.IntStream.range(1, typeCount()).mapToObj(this::type);
    }

    /** Every type of one kind, e.g. {@code types(BtfType.Function.class)}; see {@link #types()}. */
    public <T extends BtfType> java.util.stream.Stream<T> types(Class<T> kind) {
        return types().filter(kind::isInstance).map(kind::cast);
    }

    /**
     * The type as C would write it: {@code "int"}, {@code "__u32"} (typedefs keep their name),
     * {@code "const volatile int"}, {@code "char[16]"}, {@code "int[2][3]"}, {@code "struct
     * open_event"}, {@code "union (anonymous)"}, {@code "enum bpf_map_type"}, {@code "char *"},
     * {@code "int (*)(void *, long)"}. Used by error messages that name a BTF type.
     */
    public String typeName(int id) {
        return typeName(id, 0);
    }

    private String typeName(int id, int depth) {
        if (depth > 32) {
            return "...";
        }
        BtfType type = type(id);
        return switch (type) {
            case BtfType.Void v -> id == 0 ? "void" : "kind " + v.kind() + (v.name().isEmpty() ? "" : " " + v.name());
            case BtfType.Int i -> i.name();
            case BtfType.Float f -> f.name();
            case BtfType.Typedef t -> t.name();
            case BtfType.Struct s -> (s.union() ? "union " : "struct ") + anonymous(s.name());
            case BtfType.Forward f -> (f.union() ? "union " : "struct ") + f.name();
            case BtfType.Enum e -> "enum " + anonymous(e.name());
            case BtfType.Qualifier q -> q.qualifier().equals("type_tag") ? typeName(q.targetId(), depth + 1)
                    : q.qualifier() + " " + typeName(q.targetId(), depth + 1);
            case BtfType.Pointer p -> type(p.targetId()) instanceof BtfType.FuncProto proto
                    ? typeName(proto.returnTypeId(), depth + 1) + " (*)" + parameters(proto, depth)
                    : typeName(p.targetId(), depth + 1) + " *";
            case BtfType.Array a -> {
                // C puts every dimension after the innermost element type: int[2][3]
                StringBuilder dimensions = new StringBuilder();
                BtfType element = a;
                while (element instanceof BtfType.Array array) {
                    dimensions.append('[').append(array.length()).append(']');
                    element = type(array.elementTypeId());
                }
                yield typeName(element.id(), depth + 1) + dimensions;
            }
            case BtfType.FuncProto proto -> typeName(proto.returnTypeId(), depth + 1) + " " + parameters(proto, depth);
            case BtfType.Function f -> f.name();
            case BtfType.Var v -> v.name();
            case BtfType.DataSection d -> d.name();
            case BtfType.DeclTag t -> t.name();
        };
    }

    private String parameters(BtfType.FuncProto proto, int depth) {
        List<String> parameters = new ArrayList<>();
        for (BtfType.Parameter parameter : proto.parameters()) {
            parameters.add(typeName(parameter.typeId(), depth + 1));
        }
        if (proto.variadic()) {
            parameters.add("...");
        }
        return "(" + (parameters.isEmpty() ? "void" : String.join(", ", parameters)) + ")";
    }

    private static String anonymous(String name) {
        return name.isEmpty() ? "(anonymous)" : name;
    }

    /** The type behind typedefs and qualifiers (const, volatile, ...). */
    public BtfType resolve(int id) {
        BtfType type = type(id);
        for (int hops = 0; hops < 64; hops++) {
            if (type instanceof BtfType.Typedef typedef) {
                type = type(typedef.targetId());
            } else if (type instanceof BtfType.Qualifier qualifier) {
                type = type(qualifier.targetId());
            } else {
                return type;
            }
        }
        throw new BpfException("resolve BTF type", "id " + id, "typedef chain too long");
    }

    /** The size in bytes of a value of this type. */
    public long sizeOf(int id) {
        BtfType type = resolve(id);
        return switch (type) {
            case BtfType.Int i -> i.size();
            case BtfType.Float f -> f.size();
            case BtfType.Pointer p -> 8;
            case BtfType.Enum e -> e.size();
            case BtfType.Struct s -> s.size();
            case BtfType.DataSection d -> d.size();
            case BtfType.Var v -> sizeOf(v.typeId());
            case BtfType.Array a -> (long) a.length() * sizeOf(a.elementTypeId());
            default -> throw new BpfException("size BTF type", type.name().isEmpty() ? "id " + id : type.name(),
                    "has no size");
        };
    }

    private BtfType decode(int id) {
        if (id == 0) {
            return new BtfType.Void(0, "void", 0);
        }
        MemorySegment header = LibBpf.btf__type_by_id(btf, id).reinterpret(TYPE_HEADER);
        int nameOff = header.get(JAVA_INT, 0);
        int info = header.get(JAVA_INT, 4);
        int sizeOrType = header.get(JAVA_INT, 8);
        int vlen = info & 0xffff;
        int kind = (info >>> 24) & 0x1f;
        boolean kindFlag = (info >>> 31) != 0;
        String name = string(nameOff);
        // kind-specific data: at most 12 bytes per vlen entry (struct members, datasec entries)
        MemorySegment extra = LibBpf.btf__type_by_id(btf, id).reinterpret(TYPE_HEADER + 12L * Math.max(vlen, 1))
                .asSlice(TYPE_HEADER);
        return switch (kind) {
            case KIND_INT -> {
                int encoding = extra.get(JAVA_INT, 0);
                int flags = (encoding >>> 24) & 0x0f;
                yield new BtfType.Int(id, name, sizeOrType, (flags & INT_SIGNED) != 0, (flags & INT_CHAR) != 0,
                        (flags & INT_BOOL) != 0, encoding & 0xff);
            }
            case KIND_PTR -> new BtfType.Pointer(id, name, sizeOrType);
            case KIND_ARRAY -> new BtfType.Array(id, name, extra.get(JAVA_INT, 0), extra.get(JAVA_INT, 8));
            case KIND_STRUCT, KIND_UNION -> {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int offset = extra.get(JAVA_INT, 12L * i + 8);
                    members.add(new BtfType.Member(string(extra.get(JAVA_INT, 12L * i)), extra.get(JAVA_INT, 12L * i + 4),
                            kindFlag ? offset & 0xffffff : offset, kindFlag ? offset >>> 24 : 0));
                }
                yield new BtfType.Struct(id, name, sizeOrType, kind == KIND_UNION, List.copyOf(members));
            }
            case KIND_ENUM, KIND_ENUM64 -> {
                Map<Long, String> values = new LinkedHashMap<>();
                List<BtfType.EnumConstant> constants = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long value;
                    String constant;
                    if (kind == KIND_ENUM) {
                        int raw = extra.get(JAVA_INT, 8L * i + 4);
                        value = kindFlag ? (long) raw : Integer.toUnsignedLong(raw);
                        constant = string(extra.get(JAVA_INT, 8L * i));
                    } else {
                        value = Integer.toUnsignedLong(extra.get(JAVA_INT, 12L * i + 4))
                                | ((long) extra.get(JAVA_INT, 12L * i + 8) << 32);
                        constant = string(extra.get(JAVA_INT, 12L * i));
                    }
                    values.putIfAbsent(value, constant);
                    constants.add(new BtfType.EnumConstant(constant, value));
                }
                yield new BtfType.Enum(id, name, sizeOrType, kindFlag, values, List.copyOf(constants));
            }
            case KIND_FUNC -> new BtfType.Function(id, name, sizeOrType, BtfType.Linkage.of(vlen));
            case KIND_FUNC_PROTO -> {
                List<BtfType.Parameter> parameters = new ArrayList<>(vlen);
                boolean variadic = false;
                for (int i = 0; i < vlen; i++) {
                    int paramType = extra.get(JAVA_INT, 8L * i + 4);
                    String paramName = string(extra.get(JAVA_INT, 8L * i));
                    if (i == vlen - 1 && paramType == 0 && paramName.isEmpty()) {
                        variadic = true; // BTF marks "..." as a last parameter of type void without a name
                    } else {
                        parameters.add(new BtfType.Parameter(paramName, paramType));
                    }
                }
                yield new BtfType.FuncProto(id, name, sizeOrType, List.copyOf(parameters), variadic);
            }
            case KIND_VAR -> new BtfType.Var(id, name, sizeOrType, BtfType.Linkage.of(extra.get(JAVA_INT, 0)));
            case KIND_DECL_TAG -> new BtfType.DeclTag(id, name, sizeOrType, extra.get(JAVA_INT, 0));
            case KIND_FWD -> new BtfType.Forward(id, name, kindFlag);
            case KIND_TYPEDEF -> new BtfType.Typedef(id, name, sizeOrType);
            case KIND_VOLATILE -> new BtfType.Qualifier(id, name, "volatile", sizeOrType);
            case KIND_CONST -> new BtfType.Qualifier(id, name, "const", sizeOrType);
            case KIND_RESTRICT -> new BtfType.Qualifier(id, name, "restrict", sizeOrType);
            case KIND_TYPE_TAG -> new BtfType.Qualifier(id, name, "type_tag", sizeOrType);
            case KIND_FLOAT -> new BtfType.Float(id, name, sizeOrType);
            case KIND_DATASEC -> {
                List<BtfType.Variable> variables = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    int varId = extra.get(JAVA_INT, 12L * i);
                    MemorySegment var = LibBpf.btf__type_by_id(btf, varId).reinterpret(TYPE_HEADER);
                    variables.add(new BtfType.Variable(string(var.get(JAVA_INT, 0)), var.get(JAVA_INT, 8),
                            extra.get(JAVA_INT, 12L * i + 4), extra.get(JAVA_INT, 12L * i + 8)));
                }
                yield new BtfType.DataSection(id, name, sizeOrType, List.copyOf(variables));
            }
            default -> new BtfType.Void(id, name, kind);
        };
    }

    /**
     * The string at {@code offset} of this BTF's string section ("" when out of range): names,
     * and the file names and source lines that line info points at.
     */
    public String stringAt(int offset) {
        ensureOpen();
        return string(offset);
    }

    private String string(int offset) {
        MemorySegment s = LibBpf.btf__name_by_offset(btf, offset);
        return s.address() == 0 ? "" : s.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("BTF is closed");
        }
        ensureOwnerOpen.run();
    }

    /**
     * Frees the BTF when this instance owns it. Closing a borrowed BTF does nothing: its object
     * frees it, and it stays usable until then.
     */
    @Override
    public synchronized void close() {
        if (owned && !closed) {
            closed = true;
            LibBpf.btf__free(btf);
        }
    }
}
