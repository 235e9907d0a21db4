package dev.jbpf.btf;

import java.util.List;
import java.util.Map;

/**
 * One BTF type, decoded into plain Java values. Holds no native memory: it is a copy of what
 * libbpf's {@code struct btf} describes, valid after the {@link Btf} is closed.
 */
public sealed interface BtfType {
    /** The type's id in its BTF; 0 is void. */
    int id();

    /** The type's name, or "" for anonymous types. */
    String name();

    /** void (id 0), and the kinds jbpf does not decode (functions, variables, tags). */
    record Void(int id, String name, int kind) implements BtfType {
    }

    /** An integer: size in bytes, signedness, and whether C calls it char or bool. */
    record Int(int id, String name, int size, boolean signed, boolean isChar, boolean isBool, int bits)
            implements BtfType {
    }

    /** A float or double. */
    record Float(int id, String name, int size) implements BtfType {
    }

    record Pointer(int id, String name, int targetId) implements BtfType {
    }

    record Array(int id, String name, int elementTypeId, int length) implements BtfType {
    }

    /** A struct or union member: bit offset from the start, and bit size when it is a bitfield (else 0). */
    record Member(String name, int typeId, int bitOffset, int bitfieldSize) {
    }

    record Struct(int id, String name, int size, boolean union, List<Member> members) implements BtfType {
    }

    /** An enum (32- or 64-bit): constant names by value, in declaration order. */
    record Enum(int id, String name, int size, boolean signed, Map<Long, String> values) implements BtfType {
    }

    /** A forward declaration of a struct or union whose body this BTF lacks. */
    record Forward(int id, String name, boolean union) implements BtfType {
    }

    record Typedef(int id, String name, int targetId) implements BtfType {
    }

    /** const, volatile, restrict or a type tag: the same data as its target. */
    record Qualifier(int id, String name, String qualifier, int targetId) implements BtfType {
    }

    /** A data section (.data, .bss, .rodata, ...): its variables by type, offset and size. */
    record DataSection(int id, String name, int size, List<Variable> variables) implements BtfType {
    }

    /** A global variable of a data section. */
    record Variable(String name, int typeId, int offset, int size) {
    }
}
