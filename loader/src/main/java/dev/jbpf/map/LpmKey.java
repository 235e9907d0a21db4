package dev.jbpf.map;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A key of an {@link MapType#LPM_TRIE} map ({@code struct bpf_lpm_trie_key}): a prefix length
 * in bits and the data it applies to, most significant byte first (network order for IP
 * addresses). Encoded as the kernel expects: the prefix length as a host-endian {@code __u32},
 * then the data bytes. Storing {@code 10.1.0.0/16} and looking up {@code 10.1.2.3/32} finds the
 * longest stored prefix covering the address. Plain Java value (the data is copied in and out);
 * no native memory.
 *
 * <pre>{@code
 * BpfMap trie = BpfMap.create(MapType.LPM_TRIE, "routes", LpmKey.keySize(4), 8, 1024);
 * TypedMap<LpmKey, Long> routes = trie.typed(LpmKey.codec(4), Codec.LONG);
 * routes.put(LpmKey.ipv4("10.1.0.0", 16), 1L);
 * routes.get(LpmKey.ipv4("10.1.2.3", 32));   // Optional[1]
 * }</pre>
 *
 * @param prefixLength the number of leading bits of data that count, 0 to {@code 8 * data.length}
 * @param data the bytes, most significant first
 */
public record LpmKey(int prefixLength, byte[] data) {

    /** Checks the prefix length against the data and copies the data. */
    public LpmKey {
        Objects.requireNonNull(data, "data");
        if (data.length == 0) {
            throw new IllegalArgumentException("LPM key data must not be empty");
        }
        if (prefixLength < 0 || prefixLength > 8 * data.length) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + 8 * data.length
                    + " for " + data.length + " data bytes");
        }
        data = data.clone();
    }

    /** The data bytes (a copy). */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The key size of an LPM trie whose keys hold dataBytes of data: {@code 4 + dataBytes}. */
    public static int keySize(int dataBytes) {
        if (dataBytes <= 0) {
            throw new IllegalArgumentException("LPM key data size must be positive, got " + dataBytes);
        }
        return Integer.BYTES + dataBytes;
    }

    /** An IPv4 prefix from a dotted literal ({@code "10.1.0.0"}, no host names): 4 data bytes. */
    public static LpmKey ipv4(String address, int prefixLength) {
        Objects.requireNonNull(address, "address");
        Inet4Address parsed;
        try {
            parsed = Inet4Address.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv4 address literal: " + address, e);
        }
        return new LpmKey(prefixLength, parsed.getAddress());
    }

    /** An IPv6 prefix from a literal ({@code "2001:db8::"}, no host names): 16 data bytes. */
    public static LpmKey ipv6(String address, int prefixLength) {
        Objects.requireNonNull(address, "address");
        InetAddress parsed;
        try {
            parsed = Inet6Address.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IPv6 address literal: " + address, e);
        }
        byte[] bytes = parsed.getAddress();
        if (bytes.length == 4) { // ::ffff:a.b.c.d comes back as an Inet4Address
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            bytes = mapped;
        }
        return new LpmKey(prefixLength, bytes);
    }

    /** The key as the kernel stores it: {@link #keySize(int) keySize(data.length)} bytes. */
    public byte[] encode() {
        return ByteBuffer.allocate(Integer.BYTES + data.length).order(ByteOrder.nativeOrder())
                .putInt(prefixLength).put(data).array();
    }

    /** Decodes a key of at least 5 bytes (the prefix length, then the data). */
    public static LpmKey decode(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length <= Integer.BYTES) {
            throw new IllegalArgumentException("an LPM key has more than 4 bytes, got " + key.length);
        }
        int prefix = ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getInt();
        return new LpmKey(prefix, Arrays.copyOfRange(key, Integer.BYTES, key.length));
    }

    /** The codec of the keys of an LPM trie with dataBytes of data per key. */
    public static Codec<LpmKey> codec(int dataBytes) {
        int size = keySize(dataBytes);
        return Codec.of(size, LpmKey::decode, key -> {
            if (key.data.length != dataBytes) {
                throw new IllegalArgumentException("this LPM trie's keys have " + dataBytes + " data bytes, got "
                        + key.data.length);
            }
            return key.encode();
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LpmKey other && prefixLength == other.prefixLength && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return 31 * prefixLength + Arrays.hashCode(data);
    }

    /** {@code 10.1.0.0/16}, {@code 2001:db8:0:0:0:0:0:0/32}, else the data in hex and the prefix length. */
    @Override
    public String toString() {
        try {
            if (data.length == 4) {
                return InetAddress.getByAddress(data).getHostAddress() + "/" + prefixLength;
            }
            if (data.length == 16) { // Inet6Address even for ::ffff:a.b.c.d, which getByAddress would make IPv4
                return Inet6Address.getByAddress(null, data, -1).getHostAddress() + "/" + prefixLength;
            }
        } catch (java.net.UnknownHostException e) {
            // cannot happen for 4 or 16 bytes
        }
        return HexFormat.of().formatHex(data) + "/" + prefixLength;
    }
}
