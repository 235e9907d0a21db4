package dev.jbpf.net;

import dev.jbpf.testing.NetCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.NetInterface;
import dev.jbpf.link.Tc;
import dev.jbpf.link.Tc.Direction;
import dev.jbpf.link.Tc.Mechanism;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.TestGate;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TC classifiers on the host end of a veth pair, through tcx and through the clsact qdisc,
 * proven by the packets they count in each direction and by the counts stopping after detach.
 */
@KernelTest(root = true)
class TcTest {
    private VethNamespace veth;
    private EchoServer server;
    private LoadedObject net;

    @BeforeEach
    void setUp() {
        veth = VethNamespace.create();
        server = EchoServer.listen(veth.hostAddress());
        net = BpfObject.open(TestSupport.bpfObject("net")).load();
    }

    @AfterEach
    void tearDown() {
        try (LoadedObject n = net; EchoServer s = server; VethNamespace v = veth) {
            // closed in reverse order: programs detach before the interface goes
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mechanism.class, names = {"TCX", "CLSACT"})
    void countsIngressAndEgressAndStopsWhenDetached(Mechanism mechanism) {
        assumeMechanism(mechanism);
        NetInterface device = NetInterface.named(veth.hostInterface());
        try (BpfLink ingress = net.program("tc_ingress_count").attach(new Tc(device, Direction.INGRESS, mechanism));
                BpfLink egress = net.program("tc_egress_count").attach(new Tc(device, Direction.EGRESS, mechanism))) {
            assertEquals(mechanism == Mechanism.TCX, ingress.isKernelLink());
            if (mechanism == Mechanism.CLSACT) {
                assertTrue(hasFilter("ingress", "tc_ingress_count"), filters("ingress"));
                assertTrue(hasFilter("egress", "tc_egress_count"), filters("egress"));
            } else {
                assertTrue(ingress.id() > 0 && egress.id() != ingress.id());
            }
            veth.exchange(server, 5, 20).orThrow();
            // each exchange: SYN, ACK, data in; SYN-ACK, data out at least
            assertTrue(NetCounters.TC_INGRESS_PACKETS.in(net) >= 15, "ingress " + NetCounters.TC_INGRESS_PACKETS.in(net));
            assertTrue(NetCounters.TC_EGRESS_PACKETS.in(net) >= 10, "egress " + NetCounters.TC_EGRESS_PACKETS.in(net));
        }
        if (mechanism == Mechanism.CLSACT) {
            assertFalse(hasFilter("ingress", "tc_ingress_count"), filters("ingress"));
            assertFalse(hasFilter("egress", "tc_egress_count"), filters("egress"));
        }
        long ingressAfter = NetCounters.TC_INGRESS_PACKETS.in(net);
        long egressAfter = NetCounters.TC_EGRESS_PACKETS.in(net);
        veth.exchange(server, 3, 20).orThrow();
        assertEquals(ingressAfter, NetCounters.TC_INGRESS_PACKETS.in(net), "closing the links detached ingress");
        assertEquals(egressAfter, NetCounters.TC_EGRESS_PACKETS.in(net), "closing the links detached egress");
    }

    @Test
    void clsactLinkHasNoFdAndCannotBePinned() {
        try (BpfLink link = net.program("tc_ingress_count").attach(Tc.classic(veth.hostInterface(), Direction.INGRESS))) {
            assertFalse(link.isKernelLink());
            UnsupportedOperationException pin = assertThrows(UnsupportedOperationException.class,
                    () -> link.pin(Path.of("/sys/fs/bpf/jbpf-test-" + ProcessHandle.current().pid() + "-clsact")));
            assertTrue(pin.getMessage().contains("clsact TC filter") && pin.getMessage().contains("cannot be pinned"),
                    pin.getMessage());
            assertThrows(UnsupportedOperationException.class, link::fd);
            assertThrows(UnsupportedOperationException.class, link::id);
            assertTrue(link.pinPath().isEmpty());
            assertThrows(IllegalStateException.class, link::unpin);
        }
    }

    @Test
    void closingTheObjectRemovesItsClsactFilters() {
        net.program("tc_ingress_count").attach(Tc.classic(veth.hostInterface(), Direction.INGRESS));
        assertTrue(hasFilter("ingress", "tc_ingress_count"), filters("ingress"));
        int programId = net.program("tc_ingress_count").id();
        net.close();
        assertFalse(filters("ingress").contains(" id " + programId + " "), filters("ingress"));
    }

    @Test
    void autoTakesTcxWhenTheKernelHasIt() {
        try (BpfLink link = net.program("tc_ingress_count").attach(new Tc(veth.hostInterface(), Direction.INGRESS))) {
            assertEquals(Tc.kernelHasTcx(), link.isKernelLink());
            veth.exchange(server, 2, 20).orThrow();
            assertTrue(NetCounters.TC_INGRESS_PACKETS.in(net) >= 6);
        }
    }

    /** The tcx case needs tcx; clsact is in every kernel this runs on. */
    private static void assumeMechanism(Mechanism mechanism) {
        if (mechanism == Mechanism.TCX) {
            TestGate.assume(Feature.TCX);
        }
    }

    /** Whether {@code tc filter show} lists a BPF filter running that program of net.bpf.o. */
    private boolean hasFilter(String direction, String program) {
        return filters(direction).contains(" id " + net.program(program).id() + " ");
    }

    /** What {@code tc filter show} lists on the host end in that direction. */
    private String filters(String direction) {
        return Command.ok("tc", "filter", "show", "dev", veth.hostInterface(), direction).output();
    }
}
