package dev.jbpf.btf;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds Java types to BTF types: checks once, when binding, that the Java type can hold the
 * BTF type (kind and size), and returns a {@link Binding} that reads and writes values at an
 * offset of a segment. Bindings keep only what they need (offsets, sizes, names), not the
 * {@link Btf}: they stay valid after it is closed. Not API; owns no native memory.
 *
 * <p>The rules (documented for users on {@link BtfRecordCodec}): integers by exact width
 * (byte/short/int/long for 1/2/4/8 bytes, signed or not; BigInteger for any width), boolean
 * for bool, float/double, long for pointers, Java enums for BTF enums by constant name, String
 * and byte[] for arrays of 1-byte integers, Java arrays for BTF arrays, records for structs,
 * unions and data sections, and byte[] of the exact size for any type.
 */
final class BtfBinder {
    private final Btf btf;

    BtfBinder(Btf btf) {
        this.btf = btf;
    }

    /** Reads and writes one value of a bound type. */
    interface Binding {
        /** The value stored at {@code offset} of {@code source}. */
        Object read(MemorySegment source, long offset);

        /** Stores {@code value} (of the bound Java type, not null) at {@code offset} of {@code target}. */
        void write(Object value, MemorySegment target, long offset);
    }

    /**
     * Where a value sits, for messages: the record component path ("key.sport", null for a
     * top-level value) and the struct member ("conn_key.sport", or the type's name).
     */
    record Site(String component, String member) {
        String what() {
            return component != null ? "component '" + component + "'" : "value";
        }

        Site element() {
            return new Site(component == null ? null : component + "[]", member + "[]");
        }
    }

    /** Binds javaType to the type typeId; IllegalArgumentException saying why they do not match. */
    Binding bind(Class<?> javaType, int typeId, Site site) {
        BtfType type = btf.resolve(typeId);
        if (type instanceof BtfType.Void || type instanceof BtfType.Function || type instanceof BtfType.FuncProto
                || type instanceof BtfType.Forward) {
            throw new IllegalArgumentException(mismatch(site, javaType, btf.typeName(typeId) + " (no value of known size)"));
        }
        int size = (int) btf.sizeOf(typeId);
        String btfDescription = btf.typeName(typeId) + " (" + size + " bytes)";
        switch (type) {
            case BtfType.Int i when i.isBool() -> {
                if (javaType == boolean.class || javaType == Boolean.class) {
                    return new BoolBinding(size);
                }
            }
            case BtfType.Int i -> {
                Binding integral = integral(javaType, size, i.signed(), site);
                if (integral != null) {
                    return integral;
                }
            }
            case BtfType.Enum e -> {
                if (javaType.isEnum()) {
                    return enumBinding(javaType, e, size, btf.typeName(typeId), site);
                }
                Binding integral = integral(javaType, size, e.signed(), site);
                if (integral != null) {
                    return integral;
                }
            }
            case BtfType.Float f -> {
                if ((javaType == float.class || javaType == Float.class) && size == 4) {
                    return new FloatBinding(false);
                }
                if ((javaType == double.class || javaType == Double.class) && size == 8) {
                    return new FloatBinding(true);
                }
            }
            case BtfType.Pointer p -> {
                if (javaType == long.class || javaType == Long.class) {
                    return new IntegerBinding(8, long.class);
                }
            }
            case BtfType.Array a -> {
                BtfType element = btf.resolve(a.elementTypeId());
                boolean bytes = element instanceof BtfType.Int i && i.size() == 1 && !i.isBool();
                if (bytes && javaType == String.class) {
                    return new StringBinding(a.length());
                }
                if (javaType.isArray() && javaType != byte[].class) {
                    Binding elementBinding = bind(javaType.componentType(), a.elementTypeId(), site.element());
                    return new ArrayBinding(javaType.componentType(), elementBinding, a.length(),
                            btf.sizeOf(a.elementTypeId()), site, btfDescription);
                }
            }
            case BtfType.Struct s -> {
                if (javaType.isRecord()) {
                    return recordBinding(javaType, s, site);
                }
            }
            case BtfType.DataSection d -> {
                if (javaType.isRecord()) {
                    return recordBinding(javaType, d, site);
                }
            }
            default -> {
            }
        }
        if (javaType == byte[].class) {
            return new BytesBinding(size, site, btfDescription);
        }
        throw new IllegalArgumentException(mismatch(site, javaType, btfDescription));
    }

    private static String mismatch(Site site, Class<?> javaType, String btfDescription) {
        if (site.component() != null) {
            return "component '" + site.component() + "' is " + describe(javaType) + " but " + site.member() + " is "
                    + btfDescription;
        }
        return "Java type " + describe(javaType) + " does not match BTF type " + btfDescription;
    }

    /** "long (8 bytes)", "Integer (4 bytes)", "String", "OpenEvent". */
    static String describe(Class<?> javaType) {
        int width = width(javaType);
        return javaType.getSimpleName() + (width > 0 ? " (" + width + (width == 1 ? " byte)" : " bytes)") : "");
    }

    private static int width(Class<?> javaType) {
        if (javaType == byte.class || javaType == Byte.class) {
            return 1;
        } else if (javaType == short.class || javaType == Short.class) {
            return 2;
        } else if (javaType == int.class || javaType == Integer.class || javaType == float.class
                || javaType == Float.class) {
            return 4;
        } else if (javaType == long.class || javaType == Long.class || javaType == double.class
                || javaType == Double.class) {
            return 8;
        }
        return 0;
    }

    /** byte/short/int/long (boxed too) of exactly {@code size} bytes, or BigInteger of any size; else null. */
    private static Binding integral(Class<?> javaType, int size, boolean signed, Site site) {
        if (javaType == BigInteger.class) {
            return new BigIntegerBinding(size, signed, site);
        }
        boolean integral = javaType == byte.class || javaType == Byte.class || javaType == short.class
                || javaType == Short.class || javaType == int.class || javaType == Integer.class
                || javaType == long.class || javaType == Long.class;
        if (integral && width(javaType) == size) {
            return new IntegerBinding(size, javaType);
        }
        return null;
    }

    // ---- scalars -------------------------------------------------------------------------------

    /** Reads a 1/2/4/8-byte integer sign- or zero-extended into a long. */
    static long readLong(MemorySegment source, long offset, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? source.get(JAVA_BYTE, offset) : source.get(JAVA_BYTE, offset) & 0xffL;
            case 2 -> signed ? source.get(JAVA_SHORT_UNALIGNED, offset) : source.get(JAVA_SHORT_UNALIGNED, offset) & 0xffffL;
            case 4 -> signed ? source.get(JAVA_INT_UNALIGNED, offset) : source.get(JAVA_INT_UNALIGNED, offset) & 0xffffffffL;
            case 8 -> source.get(JAVA_LONG_UNALIGNED, offset);
            default -> throw new IllegalArgumentException("no " + size + "-byte integer reads");
        };
    }

    static void writeLong(MemorySegment target, long offset, int size, long value) {
        switch (size) {
            case 1 -> target.set(JAVA_BYTE, offset, (byte) value);
            case 2 -> target.set(JAVA_SHORT_UNALIGNED, offset, (short) value);
            case 4 -> target.set(JAVA_INT_UNALIGNED, offset, (int) value);
            case 8 -> target.set(JAVA_LONG_UNALIGNED, offset, value);
            default -> throw new IllegalArgumentException("no " + size + "-byte integer writes");
        }
    }

    /** An integer of the Java type's exact width: the bits as they are (a u32 of 2^32-1 reads as int -1). */
    private record IntegerBinding(int size, Class<?> javaType) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            long value = readLong(source, offset, size, true);
            return switch (size) {
                case 1 -> (byte) value;
                case 2 -> (short) value;
                case 4 -> (int) value;
                default -> value;
            };
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            writeLong(target, offset, size, ((Number) value).longValue());
        }
    }

    private record BigIntegerBinding(int size, boolean signed, Site site) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            byte[] bigEndian = new byte[size];
            for (int i = 0; i < size; i++) {
                bigEndian[size - 1 - i] = source.get(JAVA_BYTE, offset + i);
            }
            return signed ? new BigInteger(bigEndian) : new BigInteger(1, bigEndian);
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            BigInteger number = (BigInteger) value;
            // either the signed or the unsigned range of the C type: the bits are the same
            if (number.bitLength() > size * 8 || (number.signum() < 0 && number.bitLength() > size * 8 - 1)) {
                throw new IllegalArgumentException(site.what() + ": " + number + " does not fit " + size + " bytes ("
                        + site.member() + ")");
            }
            byte[] bigEndian = number.toByteArray();
            byte fill = (byte) (number.signum() < 0 ? 0xff : 0);
            for (int i = 0; i < size; i++) {
                int from = bigEndian.length - 1 - i;
                target.set(JAVA_BYTE, offset + i, from >= 0 ? bigEndian[from] : fill);
            }
        }
    }

    private record BoolBinding(int size) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            for (int i = 0; i < size; i++) {
                if (source.get(JAVA_BYTE, offset + i) != 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            target.asSlice(offset, size).fill((byte) 0);
            target.set(JAVA_BYTE, offset, (Boolean) value ? (byte) 1 : (byte) 0);
        }
    }

    private record FloatBinding(boolean isDouble) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            return isDouble ? (Object) source.get(JAVA_DOUBLE_UNALIGNED, offset) : source.get(JAVA_FLOAT_UNALIGNED, offset);
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            if (isDouble) {
                target.set(JAVA_DOUBLE_UNALIGNED, offset, (Double) value);
            } else {
                target.set(JAVA_FLOAT_UNALIGNED, offset, (Float) value);
            }
        }
    }

    // ---- enums ---------------------------------------------------------------------------------

    private Binding enumBinding(Class<?> javaType, BtfType.Enum btfEnum, int size, String btfName, Site site) {
        Object[] constants = javaType.getEnumConstants();
        long[] values = new long[constants.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < constants.length; i++) {
            String name = ((Enum<?>) constants[i]).name();
            var value = btfEnum.valueOf(name);
            if (value.isPresent()) {
                values[i] = value.getAsLong();
            } else {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            String known = btfEnum.constants().stream().map(BtfType.EnumConstant::name).collect(Collectors.joining(", "));
            throw new IllegalArgumentException((site.component() != null ? site.what() + ": " : "") + "constants "
                    + missing + " of enum " + javaType.getSimpleName() + " are not in " + btfName
                    + (site.component() != null ? " (" + site.member() + ")" : "") + " (it has " + known + ")");
        }
        return new EnumBinding(constants, values, size, btfEnum.signed(), javaType.getSimpleName(), site);
    }

    private record EnumBinding(Object[] constants, long[] values, int size, boolean signed, String javaName,
            Site site) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            long value = readLong(source, offset, size, signed);
            for (int i = 0; i < values.length; i++) {
                if (values[i] == value) {
                    return constants[i];
                }
            }
            throw new IllegalArgumentException(site.what() + ": value " + value + " of " + site.member()
                    + " has no constant in enum " + javaName);
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            writeLong(target, offset, size, values[((Enum<?>) value).ordinal()]);
        }
    }

    // ---- arrays and strings --------------------------------------------------------------------

    /** A char array as a String: UTF-8 up to the first NUL; written truncated to length - 1 bytes plus NUL. */
    private record StringBinding(int length) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            int end = 0;
            while (end < length && source.get(JAVA_BYTE, offset + end) != 0) {
                end++;
            }
            return new String(source.asSlice(offset, end).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(utf8.length, Math.max(length - 1, 0));
            while (n > 0 && n < utf8.length && (utf8[n] & 0xc0) == 0x80) {
                n--; // never cut a UTF-8 sequence in two
            }
            MemorySegment.copy(utf8, 0, target, JAVA_BYTE, offset, n);
            target.asSlice(offset + n, length - n).fill((byte) 0);
        }
    }

    /** Raw bytes of exactly the type's size. */
    private record BytesBinding(int size, Site site, String btfDescription) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            return source.asSlice(offset, size).toArray(JAVA_BYTE);
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            byte[] bytes = (byte[]) value;
            if (bytes.length != size) {
                throw new IllegalArgumentException(site.what() + " has " + bytes.length + " bytes but " + site.member()
                        + " is " + btfDescription);
            }
            MemorySegment.copy(bytes, 0, target, JAVA_BYTE, offset, size);
        }
    }

    private record ArrayBinding(Class<?> elementType, Binding element, int length, long elementSize, Site site,
            String btfDescription) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            Object array = java.lang.reflect.Array.newInstance(elementType, length);
            for (int i = 0; i < length; i++) {
                java.lang.reflect.Array.set(array, i, element.read(source, offset + i * elementSize));
            }
            return array;
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            int given = java.lang.reflect.Array.getLength(value);
            if (given != length) {
                throw new IllegalArgumentException(site.what() + " has " + given + " elements but " + site.member()
                        + " is " + btfDescription);
            }
            for (int i = 0; i < length; i++) {
                Object item = java.lang.reflect.Array.get(value, i);
                if (item == null) {
                    throw new IllegalArgumentException(site.what() + " has a null element at index " + i);
                }
                element.write(item, target, offset + i * elementSize);
            }
        }
    }

    // ---- records -------------------------------------------------------------------------------

    /** A struct member found by name, possibly inside anonymous struct/union members. */
    private record Found(BtfType.Member member, long bitOffset) {
    }

    private Found findMember(BtfType.Struct struct, String name, long baseBits) {
        for (BtfType.Member member : struct.members()) {
            if (member.name().equals(name)) {
                return new Found(member, baseBits + member.bitOffset());
            }
        }
        for (BtfType.Member member : struct.members()) {
            if (member.name().isEmpty() && btf.resolve(member.typeId()) instanceof BtfType.Struct inner) {
                Found found = findMember(inner, name, baseBits + member.bitOffset());
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static List<String> memberNames(BtfType.Struct struct) {
        return struct.members().stream().map(m -> m.name().isEmpty() ? "(anonymous)" : m.name()).toList();
    }

    private Binding recordBinding(Class<?> recordType, BtfType type, Site site) {
        String structName = switch (type) {
            case BtfType.Struct s -> s.name().isEmpty() ? "(anonymous " + (s.union() ? "union)" : "struct)") : s.name();
            default -> type.name();
        };
        String kindName = switch (type) {
            case BtfType.Struct s -> s.union() ? "union " : "struct ";
            default -> "data section ";
        };
        RecordComponent[] components = recordType.getRecordComponents();
        Binding[] bindings = new Binding[components.length];
        long[] offsets = new long[components.length];
        Method[] accessors = new Method[components.length];
        Class<?>[] types = new Class<?>[components.length];
        long[] firstBytes = new long[components.length];
        long[] endBytes = new long[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String path = site.component() == null ? component.getName() : site.component() + "." + component.getName();
            types[i] = component.getType();
            accessors[i] = component.getAccessor();
            BtfMember renamed = component.getAnnotation(BtfMember.class);
            String memberName = renamed != null ? renamed.value() : component.getName();
            Site memberSite = new Site(path, structName + "." + memberName);
            switch (type) {
                case BtfType.Struct struct -> {
                    Found found = findMember(struct, memberName, 0);
                    if (found == null) {
                        throw new IllegalArgumentException("component '" + path + "' of record "
                                + recordType.getSimpleName() + " has no member in " + kindName + structName
                                + " (members: " + String.join(", ", memberNames(struct)) + ")");
                    }
                    if (found.member().bitfieldSize() != 0) {
                        bindings[i] = bitfield(component.getType(), found, memberSite);
                        offsets[i] = 0;
                        firstBytes[i] = found.bitOffset() / 8;
                        endBytes[i] = (found.bitOffset() + found.member().bitfieldSize() + 7) / 8;
                    } else {
                        bindings[i] = bind(component.getType(), found.member().typeId(), memberSite);
                        offsets[i] = found.bitOffset() / 8;
                        firstBytes[i] = offsets[i];
                        endBytes[i] = offsets[i] + btf.sizeOf(found.member().typeId());
                    }
                }
                case BtfType.DataSection section -> {
                    BtfType.Variable variable = section.variable(memberName).orElseThrow(() -> new IllegalArgumentException(
                            "component '" + path + "' of record " + recordType.getSimpleName() + " has no variable in "
                                    + kindName + structName + " (variables: " + section.variables().stream()
                                    .map(BtfType.Variable::name).collect(Collectors.joining(", ")) + ")"));
                    bindings[i] = bind(component.getType(), variable.typeId(), memberSite);
                    offsets[i] = variable.offset();
                    firstBytes[i] = variable.offset();
                    endBytes[i] = (long) variable.offset() + variable.size();
                }
                default -> throw new IllegalStateException("not a struct: " + type);
            }
        }
        Constructor<?> constructor;
        try {
            constructor = recordType.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            for (Method accessor : accessors) {
                accessor.setAccessible(true);
            }
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new IllegalArgumentException("record " + recordType.getName() + " is not accessible to jbpf"
                    + " (make it public, or open its package to jbpf): " + e, e);
        }
        // components that share bytes with another (union members, members of anonymous unions)
        boolean[] overlapping = new boolean[components.length];
        boolean anyOverlap = false;
        for (int i = 0; i < components.length; i++) {
            for (int j = 0; j < components.length; j++) {
                if (i != j && firstBytes[i] < endBytes[j] && firstBytes[j] < endBytes[i]
                        && !(bindings[i] instanceof BitfieldBinding && bindings[j] instanceof BitfieldBinding)) {
                    overlapping[i] = true;
                    anyOverlap = true;
                }
            }
        }
        int recordSize = (int) java.util.Arrays.stream(endBytes).max().orElse(0);
        return new RecordBinding(recordType.getSimpleName(), constructor, accessors, bindings, offsets, site,
                anyOverlap ? overlapping : null, recordSize);
    }

    /**
     * A record bound to a struct, union or data section. Components that share bytes with others
     * (the members of a union, or of an anonymous union inside a struct: {@code overlapping}) are
     * each decoded from the same bytes, and written only when their encoding is not all zero, in
     * order: a record that sets one member and leaves the others zero encodes that member (where
     * several non-zero members overlap, the last wins). The target is zero before a record is
     * written, so skipping an all-zero component changes nothing else.
     */
    private record RecordBinding(String recordName, Constructor<?> constructor, Method[] accessors,
            Binding[] components, long[] offsets, Site site, boolean[] overlapping, int size) implements Binding {
        @Override
        public Object read(MemorySegment source, long offset) {
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                values[i] = components[i].read(source, offset + offsets[i]);
            }
            try {
                return constructor.newInstance(values);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("record " + recordName + " refused the decoded values: "
                        + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot construct record " + recordName, e);
            }
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            for (int i = 0; i < components.length; i++) {
                Object component;
                try {
                    component = accessors[i].invoke(value);
                } catch (InvocationTargetException e) {
                    throw new IllegalArgumentException("accessor " + accessors[i].getName() + " of record " + recordName
                            + " failed: " + e.getCause(), e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read record " + recordName, e);
                }
                if (component == null) {
                    String path = site.component() == null ? accessors[i].getName()
                            : site.component() + "." + accessors[i].getName();
                    throw new IllegalArgumentException("component '" + path + "' of record " + recordName
                            + " is null");
                }
                if (overlapping == null || !overlapping[i]) {
                    components[i].write(component, target, offset + offsets[i]);
                } else {
                    writeUnlessZero(components[i], component, target, offset, offsets[i]);
                }
            }
        }

        /** Writes one component unless its encoding (tried on a zeroed scratch record) is all zero. */
        private void writeUnlessZero(Binding binding, Object component, MemorySegment target, long offset,
                long memberOffset) {
            MemorySegment scratch = MemorySegment.ofArray(new byte[size]);
            binding.write(component, scratch, memberOffset);
            for (long i = 0; i < size; i++) {
                if (scratch.get(JAVA_BYTE, i) != 0) {
                    binding.write(component, target, offset + memberOffset);
                    return;
                }
            }
        }
    }

    // ---- bitfields -----------------------------------------------------------------------------

    private Binding bitfield(Class<?> javaType, Found found, Site site) {
        BtfType type = btf.resolve(found.member().typeId());
        int bits = found.member().bitfieldSize();
        long firstByte = found.bitOffset() / 8;
        int shift = (int) (found.bitOffset() % 8);
        String btfDescription = btf.typeName(found.member().typeId()) + ":" + bits + " (a " + bits + "-bit bitfield)";
        if (shift + bits > 64) {
            throw new IllegalArgumentException(site.what() + ": bitfield " + site.member() + " spans more than 8 bytes");
        }
        int size;
        boolean signed;
        Map<Long, Object> byValue = null;
        Map<Object, Long> valueOf = null;
        switch (type) {
            case BtfType.Int i -> {
                size = i.size();
                signed = i.signed();
            }
            case BtfType.Enum e -> {
                size = e.size();
                signed = e.signed();
                if (javaType.isEnum()) {
                    Binding checked = enumBinding(javaType, e, size, btf.typeName(found.member().typeId()), site);
                    EnumBinding enumBinding = (EnumBinding) checked;
                    byValue = new HashMap<>();
                    valueOf = new HashMap<>();
                    for (int k = 0; k < enumBinding.constants().length; k++) {
                        byValue.putIfAbsent(enumBinding.values()[k], enumBinding.constants()[k]);
                        valueOf.put(enumBinding.constants()[k], enumBinding.values()[k]);
                    }
                }
            }
            default -> throw new IllegalArgumentException(mismatch(site, javaType, btfDescription));
        }
        boolean ok = javaType == boolean.class || javaType == Boolean.class || byValue != null
                || (width(javaType) == size && !(javaType == float.class || javaType == Float.class
                || javaType == double.class || javaType == Double.class));
        if (!ok) {
            throw new IllegalArgumentException(mismatch(site, javaType, btfDescription));
        }
        return new BitfieldBinding(javaType, firstByte, shift, bits, signed, byValue, valueOf, site);
    }

    private record BitfieldBinding(Class<?> javaType, long firstByte, int shift, int bits, boolean signed,
            Map<Long, Object> byValue, Map<Object, Long> valueOf, Site site) implements Binding {
        private int bytes() {
            return (shift + bits + 7) / 8;
        }

        private long raw(MemorySegment source, long offset) {
            long raw = 0;
            for (int i = 0; i < bytes(); i++) {
                raw |= (source.get(JAVA_BYTE, offset + firstByte + i) & 0xffL) << (8 * i);
            }
            return raw;
        }

        private long mask() {
            return bits >= 64 ? -1L : (1L << bits) - 1;
        }

        @Override
        public Object read(MemorySegment source, long offset) {
            long value = (raw(source, offset) >>> shift) & mask();
            if (signed && bits < 64 && (value & (1L << (bits - 1))) != 0) {
                value |= ~mask();
            }
            if (byValue != null) {
                Object constant = byValue.get(value);
                if (constant == null) {
                    throw new IllegalArgumentException(site.what() + ": value " + value + " of " + site.member()
                            + " has no constant in enum " + javaType.getSimpleName());
                }
                return constant;
            }
            if (javaType == boolean.class || javaType == Boolean.class) {
                return value != 0;
            }
            return switch (width(javaType)) {
                case 1 -> (byte) value;
                case 2 -> (short) value;
                case 4 -> (int) value;
                default -> value;
            };
        }

        @Override
        public void write(Object value, MemorySegment target, long offset) {
            long number;
            if (valueOf != null) {
                number = valueOf.get(value);
            } else if (value instanceof Boolean b) {
                number = b ? 1 : 0;
            } else {
                number = ((Number) value).longValue();
            }
            if (bits < 64) {
                // the signed or the unsigned range of the field
                long min = -(1L << (bits - 1));
                long max = (1L << bits) - 1;
                if (number < min || number > max) {
                    throw new IllegalArgumentException(site.what() + ": " + value + " does not fit the " + bits
                            + "-bit bitfield " + site.member());
                }
            }
            long raw = raw(target, offset);
            raw = (raw & ~(mask() << shift)) | ((number & mask()) << shift);
            for (int i = 0; i < bytes(); i++) {
                target.set(JAVA_BYTE, offset + firstByte + i, (byte) (raw >>> (8 * i)));
            }
        }
    }
}
