package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.internal.Errno;
import dev.jbpf.map.BpfMap;
import dev.jbpf.testing.NetCounters;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Links as the kernel lists them ({@link LinkInfo}) and opened by id or pin ({@link
 * BpfLink#openById}): real attachments found by id and by pin with their program and hook, pinned
 * again elsewhere, detached (the program stops counting), and gone once released.
 */
@KernelTest
class LinkInfoTest {
    private Path dir;

    @BeforeEach
    void privileged() {
        dir = Path.of("/sys/fs/bpf", "jbpf-test-links-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @AfterEach
    void removePins() throws IOException {
        if (dir != null && Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void tracepointLinksFoundByIdAndPinWithTheirHook() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load();
                BpfLink tracepoint = loaded.program("count_getppid").attach();
                BpfLink raw = loaded.program("count_sys_enter").attach()) {
            int tracepointId = tracepoint.id();
            int rawId = raw.id();
            long fdsBefore = KernelEffects.openFdCount();
            List<LinkInfo> all = LinkInfo.listAll();
            assertEquals(fdsBefore, KernelEffects.openFdCount(), "listAll left fds open");

            LinkInfo listed = all.stream().filter(link -> link.id() == tracepointId).findFirst().orElseThrow(
                    () -> new AssertionError("link " + tracepointId + " not in " + all));
            assertEquals(LinkType.PERF_EVENT, listed.type());
            assertEquals(BpfConstants.BPF_LINK_TYPE_PERF_EVENT, listed.kernelType());
            assertEquals(loaded.program("count_getppid").id(), listed.programId());
            assertEquals(new LinkTarget.PerfTracepoint("sys_enter_getppid", 0), listed.target());
            assertEquals(listed, LinkInfo.ofId(tracepointId));

            LinkInfo rawInfo = LinkInfo.ofId(rawId);
            assertEquals(LinkType.RAW_TRACEPOINT, rawInfo.type());
            assertEquals("raw_tracepoint", rawInfo.type().displayName());
            assertEquals(loaded.program("count_sys_enter").id(), rawInfo.programId());
            assertEquals(new LinkTarget.RawTracepoint("sys_enter"), rawInfo.target());

            Path pin = dir.resolve("getppid");
            tracepoint.pin(pin);
            assertEquals(listed, LinkInfo.ofPinned(pin));
            Path second = dir.resolve("more/getppid-again");
            try (BpfLink opened = BpfLink.openPinned(pin)) {
                opened.pin(second);
                assertEquals(tracepointId, opened.id());
            }
            assertEquals(tracepointId, LinkInfo.ofPinned(second).id());

            // the kernel cannot detach a perf_event link on request: it says so, and why
            try (BpfLink opened = BpfLink.openById(tracepointId)) {
                BpfException refused = assertThrows(BpfException.class, opened::detach);
                assertEquals(Errno.EOPNOTSUPP, refused.errno());
                assertTrue(refused.getMessage().contains("cannot detach a perf_event link"), refused.getMessage());
            }
            TestSupport.getppid(3);
            assertTrue(KernelEffects.counterOfThisProcess(loaded.map("hash_map")) >= 3, "still attached");
        }
    }

    @Test
    void uprobeLinksNameTheirFile() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("uprobes")).load();
                BpfLink single = loaded.program("count_getppid_by_section").attach();
                BpfLink multi = loaded.program("count_getppid_multi_by_section").attach()) {
            LinkInfo uprobe = LinkInfo.ofId(single.id());
            assertEquals(LinkType.PERF_EVENT, uprobe.type());
            LinkTarget.PerfUprobe probe = assertInstanceOf(LinkTarget.PerfUprobe.class, uprobe.target());
            assertTrue(probe.file().endsWith("libc.so.6"), probe::toString);
            assertTrue(probe.offset() > 0 && !probe.retprobe(), probe::toString);

            LinkInfo uprobeMulti = LinkInfo.ofId(multi.id());
            assertEquals(LinkType.UPROBE_MULTI, uprobeMulti.type());
            LinkTarget.UprobeMulti probes = assertInstanceOf(LinkTarget.UprobeMulti.class, uprobeMulti.target());
            assertTrue(probes.path().endsWith("libc.so.6"), probes::toString);
            assertTrue(probes.count() >= 1, probes::toString); // getpp* : getppid at least
            assertEquals(probes.count(), probes.offsets().size());
            assertTrue(probes.offsets().contains((long) probe.offset()), "getppid's offset among " + probes);
            assertEquals(probes.count(), probes.cookies().size());
        }
    }

    @Test
    void releasedLinksAreGone() throws IOException {
        int linkId;
        Path pin = dir.resolve("released");
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            try (BpfLink link = loaded.program("count_getppid").attach()) {
                linkId = link.id();
                link.pin(pin);
            }
            assertEquals(linkId, LinkInfo.ofId(linkId).id(), "the pin holds the link");
            Files.delete(pin);
            assertTrue(KernelEffects.eventually(Duration.ofSeconds(5),
                    () -> LinkInfo.listAll().stream().noneMatch(link -> link.id() == linkId)), "link " + linkId + " still listed");
            BpfNotFoundException gone = assertThrows(BpfNotFoundException.class, () -> LinkInfo.ofId(linkId));
            assertTrue(gone.getMessage().contains("no link has this id"), gone.getMessage());
            assertThrows(BpfNotFoundException.class, () -> LinkInfo.ofPinned(pin));
        }
    }

    @Test
    void pinnedMapIsNotALink() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfMap map = loaded.map("hash_map");
            Path pin = dir.resolve("a-map");
            map.pin(pin);
            BpfException wrong = assertThrows(BpfException.class, () -> BpfLink.openPinned(pin));
            assertTrue(wrong.getMessage().contains("is a map, not a link"), wrong.getMessage());
        }
    }

    @Test
    @Requires(Feature.TCX)
    void detachedTcxLinkStopsCountingWhileStillHeld() throws IOException {
        try (LoadedObject net = BpfObject.open(TestSupport.bpfObject("net")).load();
                BpfLink link = net.program("tc_ingress_count").attach(Tc.tcx("lo", Tc.Direction.INGRESS))) {
            int linkId = link.id();
            LinkInfo info = LinkInfo.ofId(linkId);
            assertEquals(LinkType.TCX, info.type());
            LinkTarget.Tcx tcx = assertInstanceOf(LinkTarget.Tcx.class, info.target());
            assertEquals(1, tcx.ifindex(), "lo is ifindex 1");
            assertEquals("tcx_ingress", LinkTarget.attachTypeName(tcx.attachType()).orElseThrow());

            long before = NetCounters.TC_INGRESS_PACKETS.in(net);
            sendLoopbackDatagrams(20);
            long attached = NetCounters.TC_INGRESS_PACKETS.in(net);
            assertTrue(attached - before >= 20, "tcx ingress of lo counted " + (attached - before) + " of 20 datagrams");

            try (BpfLink opened = BpfLink.openById(linkId)) {
                opened.detach();
            }
            long detached = NetCounters.TC_INGRESS_PACKETS.in(net);
            sendLoopbackDatagrams(20);
            assertEquals(detached, NetCounters.TC_INGRESS_PACKETS.in(net), "the detached program still counts");
            // the link object lives on (this process holds it) but is attached nowhere
            assertEquals(new LinkTarget.Tcx(0, tcx.attachType()), LinkInfo.ofId(linkId).target());
        }
    }

    /** Sends n UDP datagrams to a socket of this process on 127.0.0.1 and receives them. */
    static void sendLoopbackDatagrams(int n) throws IOException {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket sender = new DatagramSocket()) {
            receiver.setSoTimeout(2000);
            byte[] payload = new byte[16];
            for (int i = 0; i < n; i++) {
                sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), receiver.getLocalPort()));
                receiver.receive(new DatagramPacket(new byte[64], 64));
            }
        }
    }
}
