package dev.jbpf.map;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a Java value into the fixed-size bytes of a map key or value and back. The number
 * codecs are little-endian, as the kernel stores them on x86_64 and arm64 (jbpf's targets).
 * Pure Java: owns no native memory. Implementations must be stateless (thread-safe).
 *
 * @param <T> the Java type
 */
public interface Codec<T> {

    /** A C {@code __u32}/{@code __s32}/{@code int} (4 bytes). Unsigned values: {@link Integer#toUnsignedLong}. */
    Codec<Integer> INT = of(4, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(),
            v -> ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());

    /** A C {@code __u64}/{@code __s64} (8 bytes). */
    Codec<Long> LONG = of(8, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(),
            v -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());

    /** A C {@code __u16}/{@code __s16} (2 bytes). */
    Codec<Short> SHORT = of(2, b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(),
            v -> ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(v).array());

    /** A C {@code __u8}/{@code __s8} (1 byte). */
    Codec<Byte> BYTE = of(1, b -> b[0], v -> new byte[] {v});

    /** The size in bytes of every encoded value. */
    int size();

    /** Encodes value into exactly {@link #size()} bytes; IllegalArgumentException when it does not fit. */
    byte[] encode(T value);

    /** Decodes exactly {@link #size()} bytes. */
    T decode(byte[] bytes);

    /** Raw bytes of exactly n bytes (encoding a different length is an IllegalArgumentException). */
    static Codec<byte[]> bytes(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("codec size must be positive, got " + n);
        }
        return of(n, b -> b.clone(), v -> {
            if (v.length != n) {
                throw new IllegalArgumentException("expected " + n + " bytes, got " + v.length);
            }
            return v.clone();
        });
    }

    /**
     * A C {@code char[n]}: UTF-8, padded with NUL bytes; decoding stops at the first NUL.
     * Encoding a string longer than n bytes is an IllegalArgumentException (a string of
     * exactly n bytes has no terminating NUL, as the kernel allows for e.g. comm).
     */
    static Codec<String> string(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("codec size must be positive, got " + n);
        }
        return of(n, b -> {
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }, v -> {
            byte[] utf8 = v.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > n) {
                throw new IllegalArgumentException("string of " + utf8.length + " UTF-8 bytes does not fit char[" + n + "]");
            }
            return Arrays.copyOf(utf8, n);
        });
    }

    /** A codec from two functions; the encoder's result must have exactly {@code size} bytes. */
    static <T> Codec<T> of(int size, Function<byte[], T> decoder, Function<T, byte[]> encoder) {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(encoder, "encoder");
        return new Codec<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public byte[] encode(T value) {
                byte[] bytes = encoder.apply(Objects.requireNonNull(value, "value"));
                if (bytes.length != size) {
                    throw new IllegalArgumentException("codec encoded " + bytes.length + " bytes, expected " + size);
                }
                return bytes;
            }

            @Override
            public T decode(byte[] bytes) {
                if (bytes.length != size) {
                    throw new IllegalArgumentException("codec expects " + size + " bytes, got " + bytes.length);
                }
                return decoder.apply(bytes);
            }

            @Override
            public String toString() {
                return "Codec[" + size + " bytes]";
            }
        };
    }
}
