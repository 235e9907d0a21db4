package dev.jbpf.internal;

/**
 * IPv6 addresses as people write them: RFC 5952's short form ("::1", "fe80::1:2", not Java's
 * "0:0:0:0:0:0:0:1"), the form Go's net.IP and the ip command print. One formatter for the tools
 * (tcptrack) and the exporter's inet_ip decoder. Plain Java, no native memory.
 */
public final class InetText {
    private InetText() {
    }

    /** The 16 bytes of an IPv6 address (network order) in RFC 5952's short form. */
    public static String ipv6(byte[] address) {
        if (address.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (address[2 * i] & 0xff) << 8 | address[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; i++) {
            int length = 0;
            while (i + length < 8 && groups[i + length] == 0) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
