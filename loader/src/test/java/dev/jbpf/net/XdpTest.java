package dev.jbpf.net;

import dev.jbpf.testing.NetCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.NetInterface;
import dev.jbpf.link.Xdp;
import dev.jbpf.testing.KernelTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * XDP on the host end of a veth pair, proven by the packets the namespace's connections
 * make the program count (or lose, when it drops them).
 */
@KernelTest(root = true)
class XdpTest {
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

    @Test
    void countsThePacketsOfTheNamespaceAndStopsWhenDetached() {
        try (BpfLink link = net.program("xdp_count").attach(new Xdp(veth.hostInterface()))) {
            assertTrue(link.isKernelLink());
            assertTrue(link.id() > 0);
            assertTrue(xdpShown(), "ip link shows the XDP program");
            veth.exchange(server, 5, 20).orThrow();
            // each exchange sends at least SYN, ACK and the data segment to the host end
            assertTrue(NetCounters.XDP_PACKETS.in(net) >= 15, "counted " + NetCounters.XDP_PACKETS.in(net));
        }
        assertFalse(xdpShown(), "closing the link detached the program");
        long afterDetach = NetCounters.XDP_PACKETS.in(net);
        veth.exchange(server, 3, 20).orThrow();
        assertEquals(afterDetach, NetCounters.XDP_PACKETS.in(net));
    }

    @Test
    void droppingEveryPacketCutsTheNamespaceOffUntilDetached() {
        veth.exchange(server, 1, 20).orThrow();
        int exchanged = server.exchanges();
        try (BpfLink link = net.program("xdp_drop").attach(new Xdp(NetInterface.ofIndex(ifindex()), Xdp.Mode.DEFAULT, false))) {
            Command.Result cutOff = veth.exchange(server, 1, 4);
            assertFalse(cutOff.succeeded(), "the connection went through XDP_DROP: " + cutOff);
            assertEquals(exchanged, server.exchanges());
            assertTrue(NetCounters.XDP_DROPPED.in(net) > 0);
        }
        veth.exchange(server, 2, 20).orThrow();
        assertEquals(exchanged + 2, server.exchanges());
    }

    @ParameterizedTest
    @EnumSource(value = Xdp.Mode.class, names = {"SKB", "DRV"})
    void explicitModeIsTheOneTheKernelShows(Xdp.Mode mode) {
        try (BpfLink link = net.program("xdp_count").attach(new Xdp(veth.hostInterface(), mode))) {
            assertTrue(link.isKernelLink());
            // iproute2 shows the mode after the MTU: "xdpgeneric" for generic XDP, "xdp" for the driver's
            assertEquals(mode == Xdp.Mode.SKB ? "xdpgeneric" : "xdp", xdpModeShown());
            veth.exchange(server, 3, 20).orThrow();
            assertTrue(NetCounters.XDP_PACKETS.in(net) >= 9);
        }
        assertFalse(xdpShown());
    }

    @Test
    void replaceTakesOverANetlinkAttachmentAndDetachesOnlyItsOwnProgram() {
        try (BpfLink drop = net.program("xdp_drop").attach(new Xdp(NetInterface.named(veth.hostInterface()), Xdp.Mode.DEFAULT, true))) {
            assertFalse(drop.isKernelLink());
            assertFalse(veth.exchange(server, 1, 4).succeeded());
            try (BpfLink count = net.program("xdp_count").attach(
                    new Xdp(NetInterface.named(veth.hostInterface()), Xdp.Mode.DEFAULT, true))) {
                veth.exchange(server, 2, 20).orThrow();
                assertTrue(NetCounters.XDP_PACKETS.in(net) >= 6);
                UnsupportedOperationException pin = assertThrows(UnsupportedOperationException.class,
                        () -> count.pin(java.nio.file.Path.of("/sys/fs/bpf/jbpf-test-unused")));
                assertTrue(pin.getMessage().contains("netlink"), pin.getMessage());
            }
            assertFalse(xdpShown(), "closing the replacing link detached its program");
        } // closing the replaced one finds another state and leaves it alone
        veth.exchange(server, 1, 20).orThrow();
    }

    @Test
    void aSecondLinkOnTheInterfaceIsRefusedByTheKernel() {
        try (BpfLink first = net.program("xdp_count").attach(new Xdp(veth.hostInterface()))) {
            BpfException busy = assertThrows(BpfException.class,
                    () -> net.program("xdp_drop").attach(new Xdp(veth.hostInterface())));
            assertEquals("EBUSY", busy.errnoName(), busy.getMessage());
            assertTrue(busy.getMessage().contains("net/xdp_drop") && busy.getMessage().contains(veth.hostInterface()),
                    busy.getMessage());
        }
    }

    private int ifindex() {
        return NetInterface.named(veth.hostInterface()).index();
    }

    /** The XDP mode word `ip link show` prints after the MTU, or "" when there is none. */
    private String xdpModeShown() {
        String shown = Command.ok("ip", "link", "show", veth.hostInterface()).output();
        Matcher matcher = Pattern.compile(" mtu \\d+ (xdp\\w*) ").matcher(shown);
        return matcher.find() ? matcher.group(1) : "";
    }

    private boolean xdpShown() {
        String shown = Command.ok("ip", "link", "show", veth.hostInterface()).output();
        return shown.contains("prog/xdp");
    }
}
