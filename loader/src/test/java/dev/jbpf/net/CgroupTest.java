package dev.jbpf.net;

import dev.jbpf.testing.NetCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Cgroup;
import dev.jbpf.testing.KernelTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * cgroup programs on a cgroup of the test's own, proven by what a child process in it does:
 * its loopback connections to an echo server (outside the cgroup) are counted, and its
 * sockets are refused while the deny program is attached.
 */
@KernelTest(root = true)
class CgroupTest {
    private TestCgroup cgroup;
    private EchoServer server;
    private LoadedObject net;

    @BeforeEach
    void setUp() {
        cgroup = TestCgroup.create();
        server = EchoServer.listen("127.0.0.1");
        net = BpfObject.open(TestSupport.bpfObject("net")).load();
    }

    @AfterEach
    void tearDown() {
        try (TestCgroup c = cgroup; EchoServer s = server; LoadedObject n = net) {
            // the object detaches its programs before the cgroup goes
        }
    }

    @Test
    void cgroupSkbCountsPacketsAndBytesOfTheCgroupsSockets() {
        Cgroup point = new Cgroup(cgroup.directory());
        try (BpfLink ingress = net.program("cgroup_ingress_count").attach(point);
                BpfLink egress = net.program("cgroup_egress_count").attach(point)) {
            assertTrue(ingress.isKernelLink() && ingress.id() > 0);
            // this JVM is not in the cgroup: its own traffic is not counted
            exchangeFromThisProcess();
            assertEquals(0, NetCounters.CGROUP_EGRESS_PACKETS.in(net));
            cgroup.run(clientScript(4), 20).orThrow();
            long ingressPackets = NetCounters.CGROUP_INGRESS_PACKETS.in(net);
            long egressPackets = NetCounters.CGROUP_EGRESS_PACKETS.in(net);
            // each exchange: SYN, ACK and the data out; SYN-ACK and the echo in, at least
            assertTrue(egressPackets >= 12, "egress " + egressPackets);
            assertTrue(ingressPackets >= 8, "ingress " + ingressPackets);
            // every packet has at least an IPv4 and a TCP header (40 bytes)
            assertTrue(NetCounters.CGROUP_EGRESS_BYTES.in(net) >= 40 * egressPackets);
            assertTrue(NetCounters.CGROUP_INGRESS_BYTES.in(net) >= 40 * ingressPackets);
        }
        long egressAfter = NetCounters.CGROUP_EGRESS_PACKETS.in(net);
        long ingressAfter = NetCounters.CGROUP_INGRESS_PACKETS.in(net);
        cgroup.run(clientScript(2), 20).orThrow();
        assertEquals(egressAfter, NetCounters.CGROUP_EGRESS_PACKETS.in(net), "closing the links detached egress");
        assertEquals(ingressAfter, NetCounters.CGROUP_INGRESS_PACKETS.in(net), "closing the links detached ingress");
    }

    @Test
    void explicitAttachTypeForASectionThatNamesNone() {
        // SEC("cgroup/skb") says no direction; the attach point does
        try (BpfLink link = net.program("cgroup_skb_count").attach(
                new Cgroup(cgroup.directory(), Cgroup.AttachType.INET_EGRESS))) {
            assertTrue(link.isKernelLink() && link.id() > 0);
            cgroup.run(clientScript(3), 20).orThrow();
            assertTrue(NetCounters.CGROUP_SKB_PACKETS.in(net) >= 9, "counted " + NetCounters.CGROUP_SKB_PACKETS.in(net));
        }
        long after = NetCounters.CGROUP_SKB_PACKETS.in(net);
        cgroup.run(clientScript(1), 20).orThrow();
        assertEquals(after, NetCounters.CGROUP_SKB_PACKETS.in(net));
    }

    @Test
    void sockCreateProgramDeniesSocketsUntilDetached() {
        cgroup.run(clientScript(1), 20).orThrow();
        int exchanged = server.exchanges();
        try (BpfLink deny = net.program("deny_socket_create").attach(new Cgroup(cgroup.directory()))) {
            Command.Result refused = cgroup.run(clientScript(1), 20);
            assertEquals(3, refused.exitCode(), "connect failed: " + refused);
            assertTrue(refused.output().contains("Operation not permitted"), refused.output());
            assertTrue(NetCounters.SOCKETS_DENIED.in(net) >= 1);
            assertEquals(exchanged, server.exchanges());
            // the JVM is outside the cgroup: its sockets are allowed
            exchangeFromThisProcess();
        }
        cgroup.run(clientScript(1), 20).orThrow();
    }

    private String clientScript(int times) {
        return EchoServer.clientScript(server.address(), server.port(), times);
    }

    /** One exchange with the echo server from this JVM (outside the cgroup). */
    private void exchangeFromThisProcess() {
        try (java.net.Socket socket = new java.net.Socket(server.address(), server.port())) {
            socket.getOutputStream().write("hi\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals('h', socket.getInputStream().read());
        } catch (java.io.IOException e) {
            throw new AssertionError("exchange from this JVM", e);
        }
    }
}
