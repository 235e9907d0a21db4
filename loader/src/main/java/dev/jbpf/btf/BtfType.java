package dev.jbpf.btf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One BTF type, decoded into plain Java values. Holds no native memory: it is a copy of what
 * libbpf's {@code struct btf} describes, valid after the {@link Btf} is closed.
 *
 * <p>Every BTF kind has its record: integers, floats, pointers, arrays, structs and unions,
 * enums (32- and 64-bit), forward declarations, typedefs, modifiers (const, volatile,
 * restrict, type tags), functions and their prototypes, variables, data sections and
 * declaration tags. {@link Void} is id 0, and any kind newer than this list.
 */
public sealed interface BtfType {
    /** The type's id in its BTF; 0 is void. */
    int id();

    /** The type's name, or "" for anonymous types. */
    String name();

    /** void (id 0), and BTF kinds newer than jbpf ({@code kind} is the raw BTF_KIND_* number). */
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
        /** The member of this name; fields of anonymous struct/union members are not searched. */
        public Optional<Member> member(String name) {
            return members.stream().filter(m -> m.name().equals(name)).findFirst();
        }
    }

    /** One enum constant. */
    record EnumConstant(String name, long value) {
    }

    /**
     * An enum (32- or 64-bit): {@code values} maps each value to its first constant's name, in
     * declaration order; {@code constants} lists every constant, aliases included.
     */
    record Enum(int id, String name, int size, boolean signed, Map<Long, String> values, List<EnumConstant> constants)
            implements BtfType {
        /** An enum from its value map alone (constants = one per value). */
        public Enum(int id, String name, int size, boolean signed, Map<Long, String> values) {
            this(id, name, size, signed, values, constantsOf(values));
        }

        private static List<EnumConstant> constantsOf(Map<Long, String> values) {
            List<EnumConstant> constants = new ArrayList<>();
            values.forEach((value, name) -> constants.add(new EnumConstant(name, value)));
            return List.copyOf(constants);
        }

        /** The value of the constant called {@code constant}, if the enum has one. */
        public OptionalLong valueOf(String constant) {
            for (EnumConstant c : constants) {
                if (c.name().equals(constant)) {
                    return OptionalLong.of(c.value());
                }
            }
            return OptionalLong.empty();
        }
    }

    /** A forward declaration of a struct or union whose body this BTF lacks. */
    record Forward(int id, String name, boolean union) implements BtfType {
    }

    record Typedef(int id, String name, int targetId) implements BtfType {
    }

    /** const, volatile, restrict or a type tag: the same data as its target. */
    record Qualifier(int id, String name, String qualifier, int targetId) implements BtfType {
    }

    /** Linkage of a {@link Function} or {@link Var}. */
    enum Linkage {
        STATIC, GLOBAL, EXTERN;

        static Linkage of(int value) {
            return value >= 0 && value < values().length ? values()[value] : GLOBAL;
        }
    }

    /** A function prototype parameter; the name is "" when the BTF has none (prototypes of pointers). */
    record Parameter(String name, int typeId) {
    }

    /**
     * A function prototype: return type (0 = void) and parameters. A variadic prototype ends
     * in "..." ({@code variadic}); that marker is not among the parameters.
     */
    record FuncProto(int id, String name, int returnTypeId, List<Parameter> parameters, boolean variadic)
            implements BtfType {
    }

    /** A function (kernel or BPF): its name, its {@link FuncProto} and linkage. */
    record Function(int id, String name, int protoId, Linkage linkage) implements BtfType {
    }

    /** A variable (a global of a BPF object, or a per-CPU kernel variable) and its type. */
    record Var(int id, String name, int typeId, Linkage linkage) implements BtfType {
    }

    /** A data section (.data, .bss, .rodata, ...): its variables by type, offset and size. */
    record DataSection(int id, String name, int size, List<Variable> variables) implements BtfType {
        /** The variable of this name. */
        public Optional<Variable> variable(String name) {
            return variables.stream().filter(v -> v.name().equals(name)).findFirst();
        }
    }

    /** A global variable of a data section ({@code typeId} is the variable's type, not its VAR). */
    record Variable(String name, int typeId, int offset, int size) {
    }

    /**
     * A declaration tag ({@code __attribute__((btf_decl_tag("...")))}): the tag is the name;
     * {@code componentIndex} is the member or parameter it tags, -1 for the whole type.
     */
    record DeclTag(int id, String name, int targetId, int componentIndex) implements BtfType {
    }
}
