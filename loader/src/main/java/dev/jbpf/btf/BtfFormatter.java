package dev.jbpf.btf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the raw bytes of a BTF-typed value into plain Java data: structs and unions become
 * {@code Map<String, Object>} (fields by name, in order), arrays {@code List}, char arrays
 * {@code String} (up to the first NUL, also through typedefs), enums the constant's name (the
 * number when no constant has the value), integers {@code Long} (or {@code BigInteger} for
 * unsigned 64-bit values above Long.MAX_VALUE, and always for 128-bit integers), bools
 * {@code Boolean}, floats {@code Double}, pointers a "0x..." string, bitfields their value.
 * Unions list every member (they overlap), anonymous struct or union members merge their
 * fields into the enclosing map (C reaches them by their own names), nested arrays become
 * nested lists, data sections a map of their variables. Reads the given segment only; owns no native memory.
 */
public final class BtfFormatter {
    private final Btf btf;

    public BtfFormatter(Btf btf) {
        this.btf = btf;
    }

    /** The value of type {@code typeId} stored at the start of {@code data}. */
    public Object format(int typeId, MemorySegment data) {
        long size = btf.sizeOf(typeId);
        if (data.byteSize() < size) {
            throw new IllegalArgumentException("value of BTF type " + describe(typeId) + " needs " + size
                    + " bytes, got " + data.byteSize());
        }
        return value(typeId, data, 0);
    }

    /** Convenience for byte arrays. */
    public Object format(int typeId, byte[] data) {
        return format(typeId, MemorySegment.ofArray(data));
    }

    private String describe(int typeId) {
        return btf.typeName(typeId);
    }

    private Object value(int typeId, MemorySegment data, long offset) {
        BtfType type = btf.resolve(typeId);
        return switch (type) {
            case BtfType.Int i -> integer(data, offset, i.size(), i.signed(), i.isBool());
            case BtfType.Enum e -> {
                Object raw = integer(data, offset, e.size(), e.signed(), false);
                long key = raw instanceof Long l ? l : ((BigInteger) raw).longValue();
                String name = e.values().get(key);
                yield name != null ? name : raw;
            }
            case BtfType.Float f -> f.size() == 4 ? (Object) (double) data.get(JAVA_FLOAT_UNALIGNED, offset)
                    : data.get(JAVA_DOUBLE_UNALIGNED, offset);
            case BtfType.Pointer p -> "0x" + Long.toHexString(data.get(JAVA_LONG_UNALIGNED, offset));
            case BtfType.Array a -> array(a, data, offset);
            case BtfType.Struct s -> struct(s, data, offset);
            case BtfType.DataSection d -> {
                Map<String, Object> variables = new LinkedHashMap<>();
                for (BtfType.Variable v : d.variables()) {
                    variables.put(v.name(), value(v.typeId(), data, offset + v.offset()));
                }
                yield variables;
            }
            default -> HexFormat.of().formatHex(data.asSlice(offset, Math.max(0, btf.sizeOf(typeId))).toArray(JAVA_BYTE));
        };
    }

    private Object array(BtfType.Array array, MemorySegment data, long offset) {
        BtfType element = btf.resolve(array.elementTypeId());
        if (element instanceof BtfType.Int i && i.size() == 1 && (i.isChar() || i.name().equals("char"))) {
            byte[] bytes = data.asSlice(offset, array.length()).toArray(JAVA_BYTE);
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
        }
        long elementSize = btf.sizeOf(array.elementTypeId());
        List<Object> values = new ArrayList<>(array.length());
        for (int i = 0; i < array.length(); i++) {
            values.add(value(array.elementTypeId(), data, offset + i * elementSize));
        }
        return values;
    }

    private Map<String, Object> struct(BtfType.Struct struct, MemorySegment data, long offset) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (BtfType.Member member : struct.members()) {
            Object value;
            if (member.bitfieldSize() != 0) {
                value = bitfield(data, offset, member);
            } else {
                value = value(member.typeId(), data, offset + member.bitOffset() / 8);
            }
            if (member.name().isEmpty() && value instanceof Map<?, ?> nested) {
                // an anonymous struct or union: C reaches its fields by their own names
                nested.forEach((k, v) -> fields.put((String) k, v));
            } else {
                fields.put(member.name(), value);
            }
        }
        return fields;
    }

    private Object bitfield(MemorySegment data, long offset, BtfType.Member member) {
        long firstByte = member.bitOffset() / 8;
        int shift = member.bitOffset() % 8;
        long raw = 0;
        int bytes = (shift + member.bitfieldSize() + 7) / 8;
        for (int i = 0; i < bytes && i < 8; i++) {
            raw |= (data.get(JAVA_BYTE, offset + firstByte + i) & 0xffL) << (8 * i);
        }
        raw >>>= shift;
        long mask = member.bitfieldSize() >= 64 ? -1L : (1L << member.bitfieldSize()) - 1;
        long value = raw & mask;
        BtfType type = btf.resolve(member.typeId());
        boolean signed = type instanceof BtfType.Int i && i.signed();
        if (signed && member.bitfieldSize() < 64 && (value & (1L << (member.bitfieldSize() - 1))) != 0) {
            value |= ~mask;
        }
        if (type instanceof BtfType.Enum e && e.values().containsKey(value)) {
            return e.values().get(value);
        }
        if (type instanceof BtfType.Int i && i.isBool()) {
            return value != 0;
        }
        return value;
    }

    private static Object integer(MemorySegment data, long offset, int size, boolean signed, boolean bool) {
        if (size > 8) {
            // 128-bit integers: a BigInteger from the little-endian bytes
            byte[] bytes = data.asSlice(offset, size).toArray(JAVA_BYTE);
            byte[] bigEndian = new byte[size];
            for (int i = 0; i < size; i++) {
                bigEndian[size - 1 - i] = bytes[i];
            }
            BigInteger value = signed ? new BigInteger(bigEndian) : new BigInteger(1, bigEndian);
            return bool ? (Object) (value.signum() != 0) : value;
        }
        long value = switch (size) {
            case 1 -> signed ? data.get(JAVA_BYTE, offset) : data.get(JAVA_BYTE, offset) & 0xffL;
            case 2 -> signed ? data.get(JAVA_SHORT_UNALIGNED, offset) : data.get(JAVA_SHORT_UNALIGNED, offset) & 0xffffL;
            case 4 -> signed ? data.get(JAVA_INT_UNALIGNED, offset) : data.get(JAVA_INT_UNALIGNED, offset) & 0xffffffffL;
            default -> data.get(JAVA_LONG_UNALIGNED, offset);
        };
        if (bool) {
            return value != 0;
        }
        if (size == 8 && !signed && value < 0) {
            return new BigInteger(Long.toUnsignedString(value));
        }
        return value;
    }
}
