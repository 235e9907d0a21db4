package dev.jbpf.codegen;

import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps BTF types to Java types (SKELETON.md, "What is generated, and how types map") and
 * collects the records and enums to generate, in the order they are reached. Pure Java over a
 * {@link Btf} the caller owns.
 */
final class TypeMapper {
    /** A Java type: how a record component declares it, its boxed form, its class literal. */
    record JavaType(String decl, String boxed, String literal, Generated generated) {
        static JavaType plain(String decl, String boxed) {
            return new JavaType(decl, boxed, boxed + ".class", null);
        }

        static JavaType array(JavaType element) {
            String decl = element.decl() + "[]";
            return new JavaType(decl, decl, decl + ".class", null);
        }
    }

    static final JavaType BYTES = JavaType.plain("byte[]", "byte[]");

    /** A Java type with the reason it is raw bytes, or why a member has no component. */
    private record Mapping(JavaType type, String note, boolean omitted) {
    }

    enum Kind { STRUCT, UNION, ENUM, TYPEDEF }

    /** One record component: its Java name, the member's C name and type. */
    record Component(String javaName, String cName, JavaType type, String cType, String note) {
    }

    /** A member a layout checks: path from the type's start, bit offset, bitfield width. */
    record LayoutMember(String path, long bitOffset, int bitfieldSize) {
    }

    /** One record or enum to generate. */
    static final class Generated {
        final String javaName;
        /** C name for the layout ("" for anonymous types, which have no layout of their own). */
        final String cName;
        final Kind kind;
        /** The struct, union or enum (typedefs resolved). */
        final BtfType type;
        final int size;
        final String cDescription;
        final List<Component> components = new ArrayList<>();
        final List<LayoutMember> layout = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Generated(String javaName, String cName, Kind kind, BtfType type, int size, String cDescription) {
            this.javaName = javaName;
            this.cName = cName;
            this.kind = kind;
            this.type = type;
            this.size = size;
            this.cDescription = cDescription;
        }

        boolean isEnum() {
            return type instanceof BtfType.Enum;
        }

        boolean hasLayout() {
            return !cName.isEmpty();
        }
    }

    private final Btf btf;
    private final Set<String> takenTypeNames;
    private final Map<Integer, Generated> byKey = new LinkedHashMap<>();
    private final List<Generated> order = new ArrayList<>();

    /** takenTypeNames: names a generated type may not have (the class itself, Opened, imported names). */
    TypeMapper(Btf btf, Set<String> takenTypeNames) {
        this.btf = btf;
        this.takenTypeNames = new HashSet<>(takenTypeNames);
    }

    /** Every record and enum reached so far, in the order reached (anonymous nested ones after their parent's start). */
    List<Generated> generated() {
        return List.copyOf(order);
    }

    /** A value's Java type, and why it is raw bytes (null when it is not). */
    record Mapped(JavaType type, String note) {
    }

    /** The Java type of a value of BTF type id (a map key, a global variable); BYTES, with the reason, when it has none. */
    Mapped mapWithNote(int id) {
        Mapping mapping = mapping(id, "Anonymous");
        return new Mapped(mapping.type() != null ? mapping.type() : BYTES, mapping.note());
    }

    /** {@code mapWithNote(id).type()}. */
    JavaType map(int id) {
        return mapWithNote(id).type();
    }

    /** A value of size bytes that has no BTF type (a map declared with key_size/value_size): byte/short/int/long, else bytes. */
    static JavaType bySize(int size) {
        Mapping mapping = integer(size, false, "a " + size + "-byte value");
        return size == 16 ? BYTES : mapping.type();
    }

    private Mapping mapping(int id, String anonymousName) {
        int current = id;
        for (int hops = 0; hops < 64; hops++) {
            BtfType type = btf.type(current);
            switch (type) {
                case BtfType.Qualifier q -> {
                    current = q.targetId();
                    continue;
                }
                case BtfType.Typedef typedef -> {
                    BtfType resolved = btf.resolve(typedef.id());
                    boolean anonymousStruct = resolved instanceof BtfType.Struct s && s.name().isEmpty();
                    boolean anonymousEnum = resolved instanceof BtfType.Enum e && e.name().isEmpty()
                            && !e.constants().isEmpty() && unnameableConstant(e) == null;
                    if (anonymousStruct || anonymousEnum) {
                        return new Mapping(reach(typedef.id(), typedef.name(), Kind.TYPEDEF, resolved,
                                JavaNames.upperCamel(typedef.name())), null, false);
                    }
                    current = typedef.targetId();
                    continue;
                }
                case BtfType.Int i -> {
                    return integer(i.size(), i.isBool(), "a " + i.size() + "-byte integer");
                }
                case BtfType.Float f -> {
                    if (f.size() == 4) {
                        return new Mapping(JavaType.plain("float", "Float"), null, false);
                    } else if (f.size() == 8) {
                        return new Mapping(JavaType.plain("double", "Double"), null, false);
                    }
                    return new Mapping(BYTES, "a " + f.size() + "-byte float has no Java type: kept as bytes", false);
                }
                case BtfType.Pointer p -> {
                    return new Mapping(JavaType.plain("long", "Long"), null, false);
                }
                case BtfType.Enum e -> {
                    if (!e.name().isEmpty() && !e.constants().isEmpty()) {
                        String unnameable = unnameableConstant(e);
                        if (unnameable != null) {
                            // the runtime binds Java constants to C constants by name: no renaming possible
                            Mapping number = integer(e.size(), false, "a " + e.size() + "-byte enum");
                            String why = "enum " + e.name() + " has the constant " + unnameable
                                    + ", which Java cannot name: its integer value";
                            return new Mapping(number.type(), number.note() != null ? number.note() : why, false);
                        }
                        return new Mapping(reach(e.id(), e.name(), Kind.ENUM, e, JavaNames.upperCamel(e.name())), null, false);
                    }
                    return integer(e.size(), false, "an anonymous " + e.size() + "-byte enum");
                }
                case BtfType.Struct s -> {
                    Kind kind = s.union() ? Kind.UNION : Kind.STRUCT;
                    if (s.name().isEmpty()) {
                        return new Mapping(reach(s.id(), "", kind, s, anonymousName), null, false);
                    }
                    return new Mapping(reach(s.id(), s.name(), kind, s, JavaNames.upperCamel(s.name())), null, false);
                }
                case BtfType.Array a -> {
                    return array(a, anonymousName);
                }
                default -> {
                    return new Mapping(null, btf.typeName(id) + " has no size", true);
                }
            }
        }
        return new Mapping(BYTES, "typedef chain too long: kept as bytes", false);
    }

    /** The first constant of e that cannot be a Java enum constant's name (a keyword), or null. */
    private static String unnameableConstant(BtfType.Enum e) {
        return e.constants().stream().map(BtfType.EnumConstant::name).filter(n -> !JavaNames.isIdentifier(n))
                .findFirst().orElse(null);
    }

    private static Mapping integer(int size, boolean bool, String what) {
        if (bool) {
            return new Mapping(JavaType.plain("boolean", "Boolean"), null, false);
        }
        return switch (size) {
            case 1 -> new Mapping(JavaType.plain("byte", "Byte"), null, false);
            case 2 -> new Mapping(JavaType.plain("short", "Short"), null, false);
            case 4 -> new Mapping(JavaType.plain("int", "Integer"), null, false);
            case 8 -> new Mapping(JavaType.plain("long", "Long"), null, false);
            case 16 -> new Mapping(JavaType.plain("java.math.BigInteger", "java.math.BigInteger"), null, false);
            default -> new Mapping(BYTES, what + " has no Java type: kept as bytes", false);
        };
    }

    private Mapping array(BtfType.Array array, String anonymousName) {
        if (array.length() == 0) {
            return new Mapping(null, "a flexible array: its bytes follow the record and are not read", true);
        }
        int elementId = array.elementTypeId();
        BtfType element = btf.type(elementId);
        while (element instanceof BtfType.Qualifier q) {
            element = btf.type(q.targetId());
        }
        if (element instanceof BtfType.Int i && i.name().equals("char")) {
            return new Mapping(JavaType.plain("String", "String"), null, false);
        }
        BtfType resolved = btf.resolve(elementId);
        if (resolved instanceof BtfType.Int i && i.size() == 1 && !i.isBool()) {
            return new Mapping(BYTES, null, false);
        }
        Mapping elementMapping = mapping(elementId, anonymousName);
        if (elementMapping.type() == null) {
            return new Mapping(BYTES, "an array of " + btf.typeName(elementId) + " (" + elementMapping.note()
                    + "): kept as bytes", false);
        }
        if (elementMapping.note() != null) {
            // elements that are raw bytes themselves: the whole array as bytes
            return new Mapping(BYTES, "an array of " + btf.typeName(elementId) + " (" + elementMapping.note() + ")", false);
        }
        return new Mapping(JavaType.array(elementMapping.type()), null, false);
    }

    /** The generated type for key (registering and filling it the first time). */
    private JavaType reach(int key, String cName, Kind kind, BtfType type, String javaNameWanted) {
        Generated existing = byKey.get(key);
        if (existing == null) {
            String javaName = uniqueTypeName(javaNameWanted.isEmpty() ? "Anonymous" : javaNameWanted, kind);
            existing = new Generated(javaName, cName, kind, type, (int) btf.sizeOf(type.id()), btf.typeName(key));
            byKey.put(key, existing);
            order.add(existing);
            if (type instanceof BtfType.Struct struct) {
                fill(existing, struct);
            }
        }
        return new JavaType(existing.javaName, existing.javaName, existing.javaName + ".class", existing);
    }

    private String uniqueTypeName(String wanted, Kind kind) {
        String name = wanted;
        if (takenTypeNames.contains(name)) {
            name = wanted + switch (kind) {
                case STRUCT -> "Struct";
                case UNION -> "Union";
                case ENUM -> "Enum";
                case TYPEDEF -> "Type";
            };
        }
        String base = name;
        for (int n = 2; takenTypeNames.contains(name); n++) {
            name = base + n;
        }
        takenTypeNames.add(name);
        return name;
    }

    private void fill(Generated generated, BtfType.Struct struct) {
        Set<String> componentNames = new HashSet<>();
        addMembers(generated, struct, 0, componentNames);
        if (struct.union()) {
            generated.notes.add("A union: every component is decoded from the same bytes; encoding writes the"
                    + " components that are not all zero, in order (the last of those wins where they overlap).");
        }
    }

    /** Adds struct's members as components (members of anonymous struct/union members flattened, as C reaches them). */
    private void addMembers(Generated generated, BtfType.Struct struct, long baseBits, Set<String> componentNames) {
        for (BtfType.Member member : struct.members()) {
            long bits = baseBits + member.bitOffset();
            if (member.name().isEmpty()) {
                if (btf.resolve(member.typeId()) instanceof BtfType.Struct inner) {
                    addMembers(generated, inner, bits, componentNames);
                }
                continue; // an unnamed bitfield: padding
            }
            String anonymousName = generated.javaName + JavaNames.upperCamel(member.name());
            Mapping mapping = mapping(member.typeId(), anonymousName);
            String cType = btf.typeName(member.typeId());
            if (mapping.omitted()) {
                generated.notes.add("Member " + member.name() + " (" + cType + ") has no component: " + mapping.note() + ".");
                continue;
            }
            JavaType type = mapping.type();
            String javaName = JavaNames.component(member.name());
            String unique = javaName;
            for (int n = 2; !componentNames.add(unique); n++) {
                unique = javaName + "_" + n;
            }
            generated.components.add(new Component(unique, member.name(), type, cType
                    + (member.bitfieldSize() != 0 ? " : " + member.bitfieldSize() : ""), mapping.note()));
            generated.layout.add(new LayoutMember(member.name(), bits, member.bitfieldSize()));
            // a named member of an anonymous struct type: its members are checked through this type's layout
            if (type.generated() != null && !type.generated().hasLayout() && !type.generated().isEnum()) {
                for (LayoutMember inner : type.generated().layout) {
                    generated.layout.add(new LayoutMember(member.name() + "." + inner.path(), bits + inner.bitOffset(),
                            inner.bitfieldSize()));
                }
            }
        }
    }
}
