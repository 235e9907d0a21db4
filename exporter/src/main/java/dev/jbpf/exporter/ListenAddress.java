package dev.jbpf.exporter;

/**
 * {@code --web.listen-address} as ebpf_exporter takes it: {@code HOST:PORT}, {@code :PORT} (every
 * address), {@code [IPV6]:PORT}; port 0 picks a free port.
 *
 * @param host the host or address to bind, null for every address
 */
public record ListenAddress(String host, int port) {
    public ListenAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--web.listen-address: port " + port + " is not in 0..65535");
        }
    }

    /** Parses {@code [HOST]:PORT}; IllegalArgumentException saying the expected form. */
    public static ListenAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0 || text.startsWith("fd://")) {
            throw new IllegalArgumentException("--web.listen-address '" + text + "' is not HOST:PORT or :PORT (e.g. :9435,"
                    + " 127.0.0.1:9435)" + (text.startsWith("fd://") ? "; systemd socket activation is not supported" : ""));
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--web.listen-address '" + text + "': '" + text.substring(colon + 1)
                    + "' is not a port number");
        }
        return new ListenAddress(host.isEmpty() ? null : host, port);
    }

    @Override
    public String toString() {
        return (host == null ? "" : host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
