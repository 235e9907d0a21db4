package dev.jbpf.btf;

import dev.jbpf.ringbuf.RecordHandler;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A Java record bound to a BTF struct (or union), usable as a map key or value codec
 * ({@code map.typed(keyCodec, valueCodec)}) and to decode ring buffer records.
 *
 * <pre>{@code
 * record OpenEvent(int pid, int tid, int uid, int flags, String comm, String filename) {}
 * BtfRecordCodec<OpenEvent> events = BtfRecordCodec.of(OpenEvent.class, object.btf(), "open_event");
 * RingBuffer.builder().add(object.map("events"), events.handler(e -> System.out.println(e.filename())));
 * }</pre>
 *
 * <p><b>Binding rules</b>, all checked by {@code of} (a mismatch is an IllegalArgumentException
 * naming the record component, the struct member and both types, e.g. {@code "component 'pid'
 * is long (8 bytes) but open_event.pid is __u32 (4 bytes)"}):
 * <ul>
 * <li>components match struct members <b>by name</b> (members of anonymous nested structs and
 *     unions by their own names, as in C; {@link BtfMember @BtfMember("c_name")} binds a component
 *     of another name); a component without a member is an error; members
 *     without a component are allowed: skipped when decoding, zero when encoding;</li>
 * <li>integers by exact width: {@code byte}/{@code short}/{@code int}/{@code long} (or boxed)
 *     for C integers of 1/2/4/8 bytes, signed or unsigned. Java has only signed types, so an
 *     unsigned value keeps its bits: a {@code __u32} of 4294967295 decodes as {@code -1}
 *     ({@link Integer#toUnsignedLong} gives the number back). A wider Java type is an error, not
 *     a silent widening, so the record always has the struct's layout. {@code BigInteger} fits
 *     any width (128-bit integers included; decoded signed or unsigned as C declares it);</li>
 * <li>{@code boolean} for {@code bool}; {@code float}/{@code double} for float/double;
 *     {@code long} for pointers (the address);</li>
 * <li>C enums: a Java enum whose constants all exist by name in the C enum (checked when
 *     binding; decoding a value no Java constant has is an IllegalArgumentException), or an
 *     integer of the enum's width;</li>
 * <li>arrays of 1-byte integers ({@code char comm[16]}, {@code __u8 addr[4]}): {@code String}
 *     (UTF-8, decoded up to the first NUL, encoded truncated to length - 1 bytes at a character
 *     boundary and NUL-terminated) or {@code byte[]} (exactly the length);</li>
 * <li>other arrays: Java arrays of the element's binding ({@code int[]}, {@code long[]},
 *     {@code String[]} for {@code char[4][16]}, arrays of records), exactly the length;</li>
 * <li>nested structs and unions: nested records (for unions every component is decoded from the
 *     same bytes; encoding writes the components that are not all zero, in order, so the last of
 *     those wins where they overlap);</li>
 * <li>bitfields: {@code boolean}, an integer of the declared type's width or a Java enum;
 *     encoding checks that the value fits the bits;</li>
 * <li>{@code byte[]} of exactly the size binds to any type;</li>
 * <li>padding comes from BTF's member offsets and is zero when encoding.</li>
 * </ul>
 *
 * <p>The record class and its constructor must be accessible to jbpf (a record of an unnamed
 * module or an open package). Pure Java after binding: keeps no reference to the {@link Btf}
 * and owns no native memory. Immutable and thread-safe.
 *
 * @param <R> the record type
 */
public final class BtfRecordCodec<R extends Record> implements dev.jbpf.map.Codec<R> {
    private final Class<R> recordType;
    private final String structName;
    private final BtfValueCodec<R> codec;

    private BtfRecordCodec(Class<R> recordType, String structName, BtfValueCodec<R> codec) {
        this.recordType = recordType;
        this.structName = structName;
        this.codec = codec;
    }

    /**
     * Binds recordType to the struct or union called structName (or a typedef of one).
     *
     * @throws IllegalArgumentException when the BTF has no such struct, or the record does not match it
     */
    public static <R extends Record> BtfRecordCodec<R> of(Class<R> recordType, Btf btf, String structName) {
        Objects.requireNonNull(structName, "structName");
        Objects.requireNonNull(btf, "btf");
        int id = btf.findStruct(structName).map(BtfType::id)
                .or(() -> btf.find(BtfType.Typedef.class, structName)
                        .filter(t -> btf.resolve(t.id()) instanceof BtfType.Struct).map(BtfType::id))
                .orElseThrow(() -> new IllegalArgumentException(missingStruct(btf, structName)));
        return of(recordType, btf, id);
    }

    /**
     * "no struct or union 'X' in this BTF", with the reason that is nearly always behind it and the
     * closest names the BTF has.
     */
    static String missingStruct(Btf btf, String structName) {
        java.util.List<String> names = btf.types().filter(t -> t instanceof BtfType.Struct
                || t instanceof BtfType.Typedef typedef && btf.resolve(typedef.id()) instanceof BtfType.Struct)
                .map(BtfType::name).filter(name -> !name.isEmpty()).distinct().toList();
        return "no struct or union '" + structName + "' in this BTF" + dev.jbpf.internal.CloseNames.suffix(structName, names, 3)
                + " (clang keeps a type only when something global uses it: a map's __type(key/value, ...), a global"
                + " variable or a function signature; for a ring buffer record add a global such as"
                + " 'const struct " + structName + " *unused_" + structName + " __attribute__((unused));')";
    }

    /**
     * Binds recordType to the struct, union or data section with this type id (typedefs and
     * qualifiers are looked through).
     *
     * @throws IllegalArgumentException when the type is not a struct, union or data section, or the record does not match it
     */
    public static <R extends Record> BtfRecordCodec<R> of(Class<R> recordType, Btf btf, int typeId) {
        Objects.requireNonNull(recordType, "recordType");
        Objects.requireNonNull(btf, "btf");
        if (!recordType.isRecord()) {
            throw new IllegalArgumentException(recordType.getName() + " is not a record class");
        }
        BtfType type = btf.resolve(typeId);
        if (!(type instanceof BtfType.Struct || type instanceof BtfType.DataSection)) {
            throw new IllegalArgumentException("record " + recordType.getSimpleName() + " cannot bind to "
                    + btf.typeName(typeId) + ": not a struct, union or data section");
        }
        return new BtfRecordCodec<>(recordType, btf.typeName(typeId), BtfValueCodec.of(recordType, btf, typeId));
    }

    public Class<R> recordType() {
        return recordType;
    }

    /** The bound type as C writes it ("struct open_event"). */
    public String structName() {
        return structName;
    }

    /** The struct's size in bytes (BTF's, padding included). */
    @Override
    public int size() {
        return codec.size();
    }

    @Override
    public byte[] encode(R value) {
        return codec.encode(value);
    }

    /** Writes the record into the first {@link #size()} bytes of target (zeroed first). */
    public void encode(R value, MemorySegment target) {
        codec.encode(value, target);
    }

    /** Decodes exactly {@link #size()} bytes. */
    @Override
    public R decode(byte[] bytes) {
        return codec.decode(bytes);
    }

    /** Decodes the record at the start of source (at least {@link #size()} bytes), e.g. a ring buffer record. */
    public R decode(MemorySegment source) {
        return codec.decode(source);
    }

    /** A ring buffer handler that decodes each record and passes it on. */
    public RecordHandler handler(Consumer<? super R> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return record -> consumer.accept(decode(record));
    }

    @Override
    public String toString() {
        return "BtfRecordCodec[" + recordType.getSimpleName() + " <-> " + structName + ", " + size() + " bytes]";
    }
}
