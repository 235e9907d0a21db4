package dev.jbpf.btf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The layout of one named BTF type as a generated skeleton saw it: kind, C name, size and, for
 * structs and unions, where each member the Java type reads sits (bit offset, bitfield width).
 * {@link #difference(Btf)} compares it with the BTF of the object actually opened, so a skeleton
 * generated from one build of a BPF program refuses, with the type and member that moved, an
 * object whose layout changed. Plain Java values; owns no native memory.
 *
 * <p>Member paths are as C reaches them from the type: {@code "pid"}; members of anonymous
 * struct/union members by their own name; members of a named member whose type is an anonymous
 * struct as {@code "args.flags"}.
 *
 * @param kind struct, union, enum, or typedef (of a struct, union or enum)
 * @param name the C name without keyword ({@code exec_event}; a typedef's own name)
 * @param size size in bytes
 * @param javaType the generated record or enum bound to it
 * @param members the members a struct's or union's record reads (empty for enums)
 */
public record BtfLayout(Kind kind, String name, int size, Class<?> javaType, List<Member> members) {
    /** The kind of type a layout names. */
    public enum Kind {
        STRUCT("struct "), UNION("union "), ENUM("enum "), TYPEDEF("");

        private final String keyword;

        Kind(String keyword) {
            this.keyword = keyword;
        }
    }

    /**
     * One member: its path, bit offset from the start of the type, and its width when it is a
     * bitfield (0 otherwise).
     */
    public record Member(String path, long bitOffset, int bitfieldSize) {
        public Member {
            Objects.requireNonNull(path, "path");
        }
    }

    public BtfLayout {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(javaType, "javaType");
        members = List.copyOf(members);
    }

    public static BtfLayout struct(String name, int size, Class<?> javaType, Member... members) {
        return new BtfLayout(Kind.STRUCT, name, size, javaType, Arrays.asList(members));
    }

    public static BtfLayout union(String name, int size, Class<?> javaType, Member... members) {
        return new BtfLayout(Kind.UNION, name, size, javaType, Arrays.asList(members));
    }

    /** A typedef of a struct or union (its members are the struct's), or of an enum (no members). */
    public static BtfLayout typedef(String name, int size, Class<?> javaType, Member... members) {
        return new BtfLayout(Kind.TYPEDEF, name, size, javaType, Arrays.asList(members));
    }

    public static BtfLayout enumeration(String name, int size, Class<?> javaType) {
        return new BtfLayout(Kind.ENUM, name, size, javaType, List.of());
    }

    public static Member member(String path, long bitOffset) {
        return new Member(path, bitOffset, 0);
    }

    public static Member bitfield(String path, long bitOffset, int bits) {
        return new Member(path, bitOffset, bits);
    }

    /** The type as C names it: {@code struct exec_event}, {@code enum kind}, {@code conn_t}. */
    public String cName() {
        return kind.keyword + name;
    }

    /** The id of the type this layout names in btf, if it has one of that kind and name. */
    public Optional<Integer> find(Btf btf) {
        Optional<? extends BtfType> type = switch (kind) {
            case STRUCT, UNION -> btf.find(BtfType.Struct.class, name).filter(s -> s.union() == (kind == Kind.UNION));
            case ENUM -> btf.find(BtfType.Enum.class, name);
            case TYPEDEF -> btf.find(BtfType.Typedef.class, name);
        };
        return type.map(BtfType::id);
    }

    /**
     * How btf's type of this name differs from this layout, as a phrase ("struct exec_event.comm
     * moved from bit 64 to bit 96"); empty when it matches (same kind, size, and every member at
     * the same place with the same bitfield width). Members btf has and this layout lacks are
     * not a difference: the Java type does not read them.
     */
    public Optional<String> difference(Btf btf) {
        Optional<Integer> id = find(btf);
        if (id.isEmpty()) {
            return Optional.of(cName() + " is not in the object's BTF");
        }
        BtfType type = btf.resolve(id.get());
        long actualSize = btf.sizeOf(id.get());
        if (actualSize != size) {
            return Optional.of(cName() + " is " + actualSize + " bytes, not " + size);
        }
        if (members.isEmpty()) {
            return Optional.empty();
        }
        if (!(type instanceof BtfType.Struct struct)) {
            return Optional.of(cName() + " is no longer a struct or union");
        }
        for (Member member : members) {
            Optional<String> moved = compare(btf, struct, member);
            if (moved.isPresent()) {
                return moved;
            }
        }
        return Optional.empty();
    }

    private Optional<String> compare(Btf btf, BtfType.Struct struct, Member expected) {
        String where = cName() + "." + expected.path();
        BtfType.Struct current = struct;
        long bits = 0;
        BtfType.Member found = null;
        for (String segment : expected.path().split("\\.")) {
            if (current == null) {
                return Optional.of(where + " is not a member any more (" + segment + " is not inside a struct)");
            }
            Located located = locate(btf, current, segment, 0);
            if (located == null) {
                return Optional.of(where + " is not a member any more");
            }
            found = located.member();
            bits += located.bitOffset();
            current = btf.resolve(found.typeId()) instanceof BtfType.Struct inner ? inner : null;
        }
        if (bits != expected.bitOffset()) {
            return Optional.of(where + " moved from bit " + expected.bitOffset() + " to bit " + bits);
        }
        if (found.bitfieldSize() != expected.bitfieldSize()) {
            return Optional.of(where + " is " + describeWidth(found.bitfieldSize()) + ", not "
                    + describeWidth(expected.bitfieldSize()));
        }
        return Optional.empty();
    }

    private static String describeWidth(int bitfieldSize) {
        return bitfieldSize == 0 ? "not a bitfield" : "a " + bitfieldSize + "-bit bitfield";
    }

    private record Located(BtfType.Member member, long bitOffset) {
    }

    /** The member called name, also inside anonymous struct/union members (as C reaches it). */
    private static Located locate(Btf btf, BtfType.Struct struct, String name, long base) {
        for (BtfType.Member member : struct.members()) {
            if (member.name().equals(name)) {
                return new Located(member, base + member.bitOffset());
            }
        }
        for (BtfType.Member member : struct.members()) {
            if (member.name().isEmpty() && btf.resolve(member.typeId()) instanceof BtfType.Struct inner) {
                Located located = locate(btf, inner, name, base + member.bitOffset());
                if (located != null) {
                    return located;
                }
            }
        }
        return null;
    }
}
