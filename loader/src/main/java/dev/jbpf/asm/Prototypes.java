package dev.jbpf.asm;

import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;

/**
 * A BTF function's signature as bpftool writes it above each function of a listing:
 * {@code int trace_openat(struct trace_event_raw_sys_enter * ctx)} (a pointer's star set apart).
 * Kinds bpftool does not print (type tags, ...) give an empty string, as there.
 */
final class Prototypes {
    private Prototypes() {
    }

    /** The signature of type {@code id} (a FUNC), or "" when it cannot be written. */
    static String of(Btf btf, int id) {
        StringBuilder out = new StringBuilder();
        try {
            type(btf, id, out, 0);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return ""; // an unprintable kind or a bad id: no header, as bpftool
        }
        return out.toString();
    }

    private static void type(Btf btf, int id, StringBuilder out, int depth) {
        if (depth > 64) {
            throw new IllegalArgumentException("type chain too deep");
        }
        if (id == 0) {
            out.append("void ");
            return;
        }
        switch (btf.type(id)) {
            case BtfType.Int t -> out.append(t.name()).append(' ');
            case BtfType.Typedef t -> out.append(t.name()).append(' ');
            case BtfType.Float t -> out.append(t.name()).append(' ');
            case BtfType.Struct t -> out.append(t.union() ? "union " : "struct ").append(t.name()).append(' ');
            case BtfType.Enum t -> out.append("enum ").append(t.name()).append(' ');
            case BtfType.Array t -> {
                type(btf, t.elementTypeId(), out, depth + 1);
                out.append('[').append(t.length()).append(']');
            }
            case BtfType.Pointer t -> {
                type(btf, t.targetId(), out, depth + 1);
                out.append("* ");
            }
            case BtfType.Forward t -> out.append(t.union() ? "union " : "struct ").append(t.name()).append(' ');
            case BtfType.Qualifier t -> {
                if (t.qualifier().equals("type_tag")) {
                    throw new IllegalArgumentException("type tag");
                }
                out.append(t.qualifier()).append(' ');
                type(btf, t.targetId(), out, depth + 1);
            }
            case BtfType.FuncProto t -> function(btf, t, null, out, depth);
            case BtfType.Function t -> function(btf, (BtfType.FuncProto) btf.type(t.protoId()), t.name(), out, depth);
            case BtfType.Var t -> {
                if (t.linkage() == BtfType.Linkage.STATIC) {
                    out.append("static ");
                }
                type(btf, t.typeId(), out, depth + 1);
                out.append(' ').append(t.name());
            }
            case BtfType.DataSection t -> out.append("section (\"").append(t.name()).append("\") ");
            default -> throw new IllegalArgumentException("kind not printed");
        }
    }

    private static void function(Btf btf, BtfType.FuncProto proto, String name, StringBuilder out, int depth) {
        type(btf, proto.returnTypeId(), out, depth + 1);
        out.append(name == null ? "" : name).append('(');
        int index = 0;
        for (BtfType.Parameter parameter : proto.parameters()) {
            if (index++ > 0) {
                out.append(", ");
            }
            type(btf, parameter.typeId(), out, depth + 1);
            if (!parameter.name().isEmpty()) {
                out.append(parameter.name());
            } else if (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') {
                out.setLength(out.length() - 1); // no name: no space before it
            }
        }
        if (proto.variadic()) {
            out.append(index > 0 ? ", " : "").append("...");
        }
        out.append(')');
    }
}
