package dev.jbpf.net;

import dev.jbpf.testing.NetCounters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Tc;
import dev.jbpf.link.Xdp;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pinned networking links keep their programs attached after the link, the object and (in
 * principle) the process are gone; reopened and unpinned, closing them detaches.
 */
@KernelTest(root = true)
class NetLinkPinTest {
    private VethNamespace veth;
    private EchoServer server;
    private Path dir;

    @BeforeEach
    void setUp() {
        veth = VethNamespace.create();
        server = EchoServer.listen(veth.hostAddress());
        dir = Path.of("/sys/fs/bpf", "jbpf-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @AfterEach
    void tearDown() throws IOException {
        try (EchoServer s = server; VethNamespace v = veth) {
            if (dir != null && Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(path); // unpins what a failed test left
                    }
                }
            }
        }
    }

    @Test
    void pinnedXdpLinkKeepsDroppingAfterTheObjectClosesUntilUnpinned() {
        pinnedDropLinkOutlivesItsObject(new Xdp(veth.hostInterface()));
    }

    @Test
    void pinnedXdpLinkInAnExplicitModeToo() {
        // made with bpf_link_create (an explicit mode), pinned with bpf_obj_pin
        pinnedDropLinkOutlivesItsObject(new Xdp(veth.hostInterface(), Xdp.Mode.SKB));
    }

    private void pinnedDropLinkOutlivesItsObject(Xdp point) {
        Path pin = dir.resolve("links/xdp_drop");
        int linkId;
        try (LoadedObject net = BpfObject.open(TestSupport.bpfObject("net")).load();
                BpfLink link = net.program("xdp_drop").attach(point)) {
            link.pin(pin);
            assertEquals(pin, link.pinPath().orElseThrow());
            assertTrue(Files.exists(pin));
            linkId = link.id();
        }
        // link and object closed: the pin keeps the program attached, dropping
        assertFalse(veth.exchange(server, 1, 4).succeeded(), "the pinned XDP_DROP program still drops");
        try (BpfLink reopened = BpfLink.openPinned(pin)) {
            assertEquals(linkId, reopened.id());
            reopened.unpin();
            assertFalse(Files.exists(pin));
        }
        veth.exchange(server, 2, 20).orThrow();
    }

    @Test
    @Requires(Feature.TCX)
    void pinnedTcxLinkKeepsCountingUntilUnpinned() {
        Path pin = dir.resolve("tcx_ingress");
        AttachPoint point = Tc.tcx(veth.hostInterface(), Tc.Direction.INGRESS);
        try (LoadedObject net = BpfObject.open(TestSupport.bpfObject("net")).load()) {
            int linkId;
            try (BpfLink link = net.program("tc_ingress_count").attach(point)) {
                link.pin(pin);
                assertEquals(pin, link.pinPath().orElseThrow());
                linkId = link.id();
            }
            long before = NetCounters.TC_INGRESS_PACKETS.in(net);
            veth.exchange(server, 2, 20).orThrow();
            assertTrue(NetCounters.TC_INGRESS_PACKETS.in(net) >= before + 6, "the pinned link still counts");
            try (BpfLink reopened = BpfLink.openPinned(pin)) {
                assertEquals(linkId, reopened.id());
                reopened.unpin();
                assertFalse(Files.exists(pin));
            }
            long afterUnpin = NetCounters.TC_INGRESS_PACKETS.in(net);
            veth.exchange(server, 2, 20).orThrow();
            assertEquals(afterUnpin, NetCounters.TC_INGRESS_PACKETS.in(net), "unpinned and closed: detached");
        }
    }
}
