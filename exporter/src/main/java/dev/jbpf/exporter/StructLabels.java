package dev.jbpf.exporter;

import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfFormatter;
import dev.jbpf.btf.BtfType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code labels_from_btf} resolved against an object's BTF: the fields of a struct (a map's key or
 * a ring buffer's record) that make the labels, each named after its field. Values are formatted
 * by {@link BtfFormatter}: integers in decimal, char arrays as text up to the first NUL, enums by
 * their constant's name, bools true/false. Fields that are structs, unions, other arrays, floats
 * or pointers are refused (a label is one value; name the scalar fields with a list instead), so
 * are anonymous members. Reads the {@link Btf} it is given, which its object owns: use it only while
 * that object is open. Owns no native memory; thread-safe.
 */
final class StructLabels {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final BtfFormatter formatter;
    private final int typeId;
    private final int size;
    private final List<String> names;

    private StructLabels(BtfFormatter formatter, int typeId, int size, List<String> names) {
        this.formatter = formatter;
        this.typeId = typeId;
        this.size = size;
        this.names = List.copyOf(names);
    }

    /**
     * Checks the struct {@code typeId} of {@code btf} against the config.
     *
     * @param what the struct's role, for messages ("the key of map 'x'", "the records of ring buffer 'y'")
     * @param histogram whether the last label is a bucket index (an integer field, never named le)
     * @throws ConfigException at the line of labels_from_btf, naming the struct and field
     */
    static StructLabels of(Btf btf, int typeId, BtfLabelsConfig config, MetricConfig metric, String what, boolean histogram) {
        SourceLine where = config.where();
        if (typeId == 0) {
            throw new ConfigException(where, what + " has no BTF type; declare it with __type(key, struct ...) to use labels_from_btf");
        }
        if (!(btf.resolve(typeId) instanceof BtfType.Struct struct) || struct.union()) {
            throw new ConfigException(where, what + " is " + btf.typeName(typeId) + ", not a struct; labels_from_btf"
                    + " names labels after a struct's fields: use labels with decoders instead");
        }
        String structName = btf.typeName(typeId);
        List<String> fields = config.fields().isEmpty()
                ? struct.members().stream().map(BtfType.Member::name).toList() : config.fields();
        for (int i = 0; i < fields.size(); i++) {
            String field = fields.get(i);
            if (field.isEmpty()) {
                throw new ConfigException(where, structName + " (" + what + ") has an anonymous member; labels_from_btf"
                        + " needs named fields: list the fields to use (labels_from_btf: [a, b])");
            }
            BtfType.Member member = struct.member(field).orElseThrow(() -> new ConfigException(where, structName + " ("
                    + what + ") has no field '" + field + "'; its fields: " + String.join(", ",
                            struct.members().stream().map(BtfType.Member::name).toList())));
            BtfType type = btf.resolve(member.typeId());
            boolean bucket = histogram && i == fields.size() - 1;
            String kind = switch (type) {
                case BtfType.Int integer -> null;
                case BtfType.Enum e -> bucket ? "an enum" : null;
                case BtfType.Array array when !bucket && isCharArray(btf, array) -> null;
                case BtfType.Array array -> "an array";
                case BtfType.Struct s -> s.union() ? "a union" : "a struct";
                case BtfType.Pointer p -> "a pointer";
                case BtfType.Float f -> "a floating-point number";
                default -> "a " + type.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
            };
            if (kind != null) {
                throw new ConfigException(where, "field '" + field + "' of " + structName + " (" + what + ") is " + kind
                        + " (" + btf.typeName(member.typeId()) + "); labels_from_btf takes "
                        + (bucket ? "an integer field last, the bucket index" : "integer, enum and char-array fields")
                        + ": list the fields to use (labels_from_btf: [a, b])");
            }
            if (!LABEL_NAME.matcher(field).matches() || field.startsWith("__") || (histogram && !bucket && field.equals("le"))) {
                throw new ConfigException(where, "field '" + field + "' of " + structName + " cannot name a Prometheus label"
                        + (field.equals("le") ? " ('le' is the bucket label of a histogram)" : "")
                        + "; list the other fields (labels_from_btf: [a, b]) or use labels");
            }
        }
        return new StructLabels(new BtfFormatter(btf), typeId, (int) btf.sizeOf(typeId), fields);
    }

    private static boolean isCharArray(Btf btf, BtfType.Array array) {
        // what BtfFormatter prints as text
        return btf.resolve(array.elementTypeId()) instanceof BtfType.Int i && i.size() == 1 && (i.isChar() || i.name().equals("char"));
    }

    /** The label names: the fields, in order. */
    List<String> names() {
        return names;
    }

    /** The struct's size in bytes. */
    int size() {
        return size;
    }

    /** The label values of one struct value at the start of {@code data}. */
    List<String> values(MemorySegment data) {
        Map<?, ?> fields = (Map<?, ?>) formatter.format(typeId, data);
        List<String> values = new ArrayList<>(names.size());
        for (String name : names) {
            values.add(String.valueOf(fields.get(name)));
        }
        return values;
    }
}
