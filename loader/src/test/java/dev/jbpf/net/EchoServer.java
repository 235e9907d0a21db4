package dev.jbpf.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on one local address (loopback, or the host end of a {@link VethNamespace})
 * that echoes each connection's first line back, counting the exchanges. The clients are bash
 * scripts ({@link #clientScript}): bash's /dev/tcp needs no other tool. Test code;
 * {@link #close()} stops it.
 */
public final class EchoServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final AtomicInteger exchanges = new AtomicInteger();

    private EchoServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = Thread.ofPlatform().daemon().name("echo-" + socket.getLocalPort()).start(this::serve);
    }

    /** Listens on {@code address}, an ephemeral port. */
    public static EchoServer listen(String address) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return new EchoServer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("listen on " + address, e);
        }
    }

    public String address() {
        return socket.getInetAddress().getHostAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Lines received and answered so far. */
    public int exchanges() {
        return exchanges.get();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                client.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                String line = in.readLine();
                if (line != null) {
                    // counted before answering: a client that has its answer sees the count moved
                    exchanges.incrementAndGet();
                    OutputStream out = client.getOutputStream();
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (SocketException closed) {
                return; // close() closed the server socket
            } catch (IOException e) {
                // one broken client (a test that drops packets) does not stop the server
            }
        }
    }

    /**
     * A bash script making {@code times} connections to address:port, each sending "hello" and
     * reading it back; exits 0 when all worked, else 3 (connect failed), 4 (no answer) or
     * 5 (wrong answer).
     */
    public static String clientScript(String address, int port, int times) {
        return "for i in $(seq " + times + "); do"
                + " exec 3<>/dev/tcp/" + address + "/" + port + " || exit 3;"
                + " echo hello >&3;"
                + " IFS= read -r -t 3 line <&3 || exit 4;"
                + " [ \"$line\" = hello ] || exit 5;"
                + " exec 3>&- 3<&-;"
                + " done";
    }

    @Override
    public void close() {
        try {
            socket.close();
            acceptor.join(5000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
