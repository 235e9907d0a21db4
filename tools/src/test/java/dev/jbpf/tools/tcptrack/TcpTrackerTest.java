package dev.jbpf.tools.tcptrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TracingSupport;
import dev.jbpf.tools.testing.LoopbackTransfer;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The TCP connection tracker (bpf-src/tcptrack_*.bpf.c) against a real loopback transfer of
 * known sizes: each side's socket must show exactly the bytes it sent and received, with the
 * four-tuple in the right byte order, and must drop out once closed. Here the tracepoint variant
 * (kernels with sock:sock_send_length, 6.3+; others skip saying so); the kprobe variant:
 * {@link TcpTrackerKprobeTest}.
 */
class TcpTrackerTest {

    @Test
    @KernelTest
    void tracepointVariantCountsExactBytesOverIpv4() throws Exception {
        LoopbackTransfer.assumeTracepointVariant();
        trackTransfer(TcpTracker.Variant.TRACEPOINT, InetAddress.getByName("127.0.0.1"));
    }

    @Test
    @KernelTest
    void tracepointVariantCountsExactBytesOverIpv6() throws Exception {
        LoopbackTransfer.assumeTracepointVariant();
        trackTransfer(TcpTracker.Variant.TRACEPOINT, ipv6Loopback());
    }

    @Test
    @UnitTest
    void ipv6AddressesInTheirShortForm() throws Exception {
        assertEquals("::1", TcpTracker.Connection.text(InetAddress.getByName("::1")));
        assertEquals("::", TcpTracker.Connection.text(InetAddress.getByName("::")));
        assertEquals("2001:db8::1:0:0:1", TcpTracker.Connection.text(InetAddress.getByName("2001:db8:0:0:1:0:0:1")));
        assertEquals("fe80::1:2", TcpTracker.Connection.text(InetAddress.getByName("fe80:0:0:0:0:0:1:2")));
        assertEquals("1:0:2:3:4:5:6:7", TcpTracker.Connection.text(InetAddress.getByName("1:0:2:3:4:5:6:7")));
        assertEquals("10.1.2.3", TcpTracker.Connection.text(InetAddress.getByName("10.1.2.3")));
    }

    private static InetAddress ipv6Loopback() throws IOException {
        InetAddress loopback = InetAddress.getByName("::1");
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(loopback, 0));
        } catch (IOException e) {
            TracingSupport.skip("no IPv6 loopback here: " + e.getMessage());
        }
        return loopback;
    }

    static void trackTransfer(TcpTracker.Variant variant, InetAddress loopback) throws Exception {
        try (TcpTracker tracker = TcpTracker.start(variant)) {
            LoopbackTransfer transfer = LoopbackTransfer.open(loopback);
            try {
                transfer.exchange();
                TcpTracker.Connection client = connection(tracker, transfer.clientPort(), transfer.serverPort())
                        .orElseThrow(() -> new AssertionError("no client connection in " + tracker.connections()));
                TcpTracker.Connection server = connection(tracker, transfer.serverPort(), transfer.clientPort())
                        .orElseThrow(() -> new AssertionError("no server connection in " + tracker.connections()));
                assertEquals(loopback, client.source(), client::line);
                assertEquals(loopback, client.destination(), client::line);
                assertEquals(LoopbackTransfer.CLIENT_TO_SERVER, client.tx(), client::line);
                assertEquals(LoopbackTransfer.SERVER_TO_CLIENT, client.rx(), client::line);
                assertEquals(LoopbackTransfer.SERVER_TO_CLIENT, server.tx(), server::line);
                assertEquals(LoopbackTransfer.CLIENT_TO_SERVER, server.rx(), server::line);
                String host = loopback instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1";
                assertEquals(host + ":" + transfer.clientPort() + " -> " + host + ":" + transfer.serverPort()
                        + "  TX: 123457  RX: 98765", client.line());
            } finally {
                transfer.close();
            }
            // both sockets reach TCP_CLOSE (the active closer on entering TIME_WAIT, the other on the last ACK)
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && (connection(tracker, transfer.clientPort(), transfer.serverPort()).isPresent()
                    || connection(tracker, transfer.serverPort(), transfer.clientPort()).isPresent())) {
                Thread.sleep(20);
            }
            List<TcpTracker.Connection> left = tracker.connections().stream()
                    .filter(c -> c.sourcePort() == transfer.clientPort() || c.sourcePort() == transfer.serverPort()).toList();
            assertTrue(left.isEmpty(), "closed sockets still tracked: " + left);
        }
    }

    static Optional<TcpTracker.Connection> connection(TcpTracker tracker, int sourcePort, int destinationPort) {
        return tracker.connections().stream()
                .filter(c -> c.sourcePort() == sourcePort && c.destinationPort() == destinationPort)
                .findFirst();
    }

}
