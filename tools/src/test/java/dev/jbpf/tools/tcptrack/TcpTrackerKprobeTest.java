package dev.jbpf.tools.tcptrack;

import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.VmTest;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * The kprobe variant of the TCP connection tracker (tcp_sendmsg, tcp_cleanup_rbuf) on the same
 * loopback transfer as {@link TcpTrackerTest}: exact TX and RX per socket, removal on close.
 * Kernels without kprobes (this project's host) skip it, saying so; it runs in the VM matrix
 * (vm/kernel-matrix-tests).
 */
@KernelTest
@VmTest
@Requires(Feature.KPROBES)
class TcpTrackerKprobeTest {
    @Test
    void kprobeVariantCountsExactBytesOverIpv4() throws Exception {
        TcpTrackerTest.trackTransfer(TcpTracker.Variant.KPROBE, InetAddress.getByName("127.0.0.1"));
    }
}
