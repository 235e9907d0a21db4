package dev.jbpf.btf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A {@link dev.jbpf.map.Codec} for one BTF type and the Java type bound to it, checked when
 * binding: {@code BtfValueCodec.of(Long.class, btf, valueTypeId)} for a {@code __u64},
 * {@code of(String.class, ...)} for a {@code char[16]}, {@code of(Mode.class, ...)} for an
 * enum, {@code of(SomeRecord.class, ...)} for a struct (see {@link BtfRecordCodec} for the
 * rules, which are the same for every type). A mismatch is an IllegalArgumentException from
 * {@code of}; encoding and decoding then only fail on values that cannot fit (an array of the
 * wrong length, a BigInteger out of range, a null record component, an enum value without a
 * Java constant).
 *
 * <p>Pure Java after binding: keeps no reference to the {@link Btf} and owns no native memory
 * (buffers are confined arenas per call). Immutable and thread-safe.
 *
 * @param <T> the Java type
 */
public final class BtfValueCodec<T> implements dev.jbpf.map.Codec<T> {
    private final Class<T> javaType;
    private final String btfTypeName;
    private final int size;
    private final BtfBinder.Binding binding;

    private BtfValueCodec(Class<T> javaType, String btfTypeName, int size, BtfBinder.Binding binding) {
        this.javaType = javaType;
        this.btfTypeName = btfTypeName;
        this.size = size;
        this.binding = binding;
    }

    /**
     * Binds {@code javaType} (a primitive class stands for its box: {@code int.class} gives a
     * {@code BtfValueCodec<Integer>}) to the BTF type {@code typeId} of {@code btf}.
     *
     * @throws IllegalArgumentException when the Java type cannot hold the BTF type, naming both
     */
    @SuppressWarnings("unchecked")
    public static <T> BtfValueCodec<T> of(Class<T> javaType, Btf btf, int typeId) {
        Objects.requireNonNull(javaType, "javaType");
        Objects.requireNonNull(btf, "btf");
        String name = btf.typeName(typeId);
        BtfBinder.Binding binding = new BtfBinder(btf).bind(javaType, typeId, new BtfBinder.Site(null, name));
        return new BtfValueCodec<>((Class<T>) box(javaType), name, Math.toIntExact(btf.sizeOf(typeId)), binding);
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return java.lang.invoke.MethodType.methodType(type).wrap().returnType();
    }

    /** The Java type values have (boxed). */
    public Class<T> javaType() {
        return javaType;
    }

    /** The BTF type as C writes it ("__u32", "struct open_event"). */
    public String btfTypeName() {
        return btfTypeName;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public byte[] encode(T value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(size, 1));
            encode(value, buffer);
            return buffer.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * Writes value into the first {@link #size()} bytes of target (zeroing first: padding and
     * struct members the record lacks become 0).
     *
     * @throws IllegalArgumentException when target is smaller than {@link #size()} or the value does not fit
     */
    public void encode(T value, MemorySegment target) {
        Objects.requireNonNull(value, "value");
        requireSize(target);
        if (!javaType.isInstance(value)) {
            throw new IllegalArgumentException("expected a " + javaType.getSimpleName() + ", got a "
                    + value.getClass().getSimpleName());
        }
        target.asSlice(0, size).fill((byte) 0);
        binding.write(value, target, 0);
    }

    /** Decodes exactly {@link #size()} bytes. */
    @Override
    public T decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != size) {
            throw new IllegalArgumentException(btfTypeName + " is " + size + " bytes, got " + bytes.length);
        }
        return decode(MemorySegment.ofArray(bytes));
    }

    /**
     * Decodes the value at the start of source (at least {@link #size()} bytes; a ring buffer
     * record segment works as is, during its callback).
     */
    public T decode(MemorySegment source) {
        requireSize(source);
        return javaType.cast(binding.read(source, 0));
    }

    private void requireSize(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() < size) {
            throw new IllegalArgumentException(btfTypeName + " needs " + size + " bytes, the segment has "
                    + segment.byteSize());
        }
    }

    @Override
    public String toString() {
        return "BtfValueCodec[" + javaType.getSimpleName() + " <-> " + btfTypeName + ", " + size + " bytes]";
    }
}
