package dev.jbpf.tools.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.TracingSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A loopback TCP connection that moves {@link #CLIENT_TO_SERVER} bytes one way, then
 * {@link #SERVER_TO_CLIENT} bytes back: what TcpTrackerTest and the CLI's tcptrack tests
 * measure the tracker against (shared through tools' test-jar).
 */
public record LoopbackTransfer(ServerSocket listener, Socket client, Socket server) implements AutoCloseable {
    public static final int CLIENT_TO_SERVER = 123_457;
    public static final int SERVER_TO_CLIENT = 98_765;

    /** Skips unless the kernel has the tracepoint variant's tracepoint (callers are @KernelTest). */
    public static void assumeTracepointVariant() {
        if (!Files.isDirectory(Path.of("/sys/kernel/tracing/events/sock/sock_send_length"))
                && !Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/sock/sock_send_length"))) {
            TracingSupport.skip("this kernel has no tracepoint sock:sock_send_length (it came in Linux 6.3)");
        }
    }

    public static LoopbackTransfer open(InetAddress loopback) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(loopback, 0));
        Socket client = new Socket(loopback, listener.getLocalPort());
        Socket server = listener.accept();
        return new LoopbackTransfer(listener, client, server);
    }

    public int clientPort() {
        return client.getLocalPort();
    }

    public int serverPort() {
        return listener.getLocalPort();
    }

    public void exchange() throws IOException {
        byte[] request = new byte[CLIENT_TO_SERVER];
        Arrays.fill(request, (byte) 'q');
        client.getOutputStream().write(request);
        client.getOutputStream().flush();
        assertEquals(CLIENT_TO_SERVER, server.getInputStream().readNBytes(CLIENT_TO_SERVER).length);
        byte[] reply = new byte[SERVER_TO_CLIENT];
        Arrays.fill(reply, (byte) 'r');
        server.getOutputStream().write(reply);
        server.getOutputStream().flush();
        assertEquals(SERVER_TO_CLIENT, client.getInputStream().readNBytes(SERVER_TO_CLIENT).length);
    }

    @Override
    public void close() throws IOException {
        try (listener; server; client) {
            // closes the client first (the active closer), then the server side and the listener
        }
    }
}
