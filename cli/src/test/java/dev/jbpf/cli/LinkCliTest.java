package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.LinkInfo;
import dev.jbpf.link.Tc;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jbpf link list|show|pin|detach} on links this test attaches: found in the list and by
 * id and pin with their program and hook (the same text and JSON as bpftool's), pinned again,
 * detached (the program stops counting), and gone once released.
 */
@KernelTest
class LinkCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-linkcli-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() throws IOException {
        BadInputTest.deleteRecursively(dir);
    }

    @Test
    void listAndShowFindTheLinkWeAttached() throws Exception {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load();
                BpfLink link = loaded.program("count_getppid").attach()) {
            int linkId = link.id();
            int programId = loaded.program("count_getppid").id();
            Path pin = dir.resolve("getppid");
            link.pin(pin);

            Jbpf.Result text = Jbpf.run("link", "list");
            assertEquals(0, text.exitCode(), text::toString);
            assertTrue(text.out().contains(linkId + ": perf_event  prog " + programId + "\n\ttracepoint sys_enter_getppid\n"),
                    text::toString);
            Jbpf.Result list = Jbpf.run("link", "list", "-j");
            assertEquals(0, list.exitCode(), list::toString);
            JsonNode all = JSON.readTree(list.out());
            assertTrue(all.isArray(), list::toString);
            JsonNode listed = null;
            for (JsonNode one : all) {
                if (one.get("id").asInt() == linkId) {
                    listed = one;
                }
            }
            assertTrue(listed != null, () -> "link " + linkId + " not listed: " + list);

            Jbpf.Result byId = Jbpf.run("link", "show", "id", String.valueOf(linkId), "-j");
            Jbpf.Result byPin = Jbpf.run("link", "show", "pinned", pin.toString(), "-j");
            assertEquals(0, byId.exitCode(), byId::toString);
            JsonNode shown = JSON.readTree(byId.out());
            assertTrue(shown.isObject(), "one link: one object, as bpftool prints it: " + byId);
            assertEquals(listed, shown);
            assertEquals(shown, JSON.readTree(byPin.out()));
            assertEquals(programId, shown.get("prog_id").asInt());
            assertEquals("perf_event", shown.get("type").asText());
            assertEquals("sys_enter_getppid", shown.get("tracepoint").asText());

            Jbpf.Result textById = Jbpf.run("link", "show", "id", String.valueOf(linkId));
            assertEquals(linkId + ": perf_event  prog " + programId + "\n\ttracepoint sys_enter_getppid\n", textById.out());
            assertEquals("", textById.err());
            if (bpftoolPresent()) {
                assertEquals(Bpftool.json("link", "show", "id", String.valueOf(linkId)), shown);
                assertEquals(Bpftool.text("link", "show", "id", String.valueOf(linkId)), textById.out());
            }
        }
    }

    @Test
    @Requires(Feature.TCX) // the detachable link this test uses
    void pinThenDetachStopsTheProgram() throws Exception {
        try (LoadedObject net = BpfObject.open(TestSupport.bpfObject("net")).load();
                BpfLink link = net.program("tc_ingress_count").attach(Tc.tcx("lo", Tc.Direction.INGRESS))) {
            String id = String.valueOf(link.id());
            Path pin = dir.resolve("tcx");
            Jbpf.Result pinned = Jbpf.run("link", "pin", "id", id, pin.toString(), "-j");
            assertEquals(0, pinned.exitCode(), pinned::toString);
            assertEquals("null\n", pinned.out(), "bpftool prints null for a command with no output");
            assertEquals(link.id(), LinkInfo.ofPinned(pin).id());
            Jbpf.Result again = Jbpf.run("link", "pin", "id", id, pin.toString());
            assertEquals(Main.EXIT_FAILED, again.exitCode(), again::toString);
            assertEquals(1, again.errLines().size(), again::toString);
            assertTrue(again.err().contains("--force"), again::toString);
            assertEquals(0, Jbpf.run("link", "pin", "pinned", pin.toString(), pin.toString(), "--force").exitCode());

            JsonNode attached = JSON.readTree(Jbpf.run("link", "show", "pinned", pin.toString(), "-j").out());
            assertEquals("tcx", attached.get("type").asText());
            assertEquals("lo", attached.get("devname").asText());
            assertEquals("tcx_ingress", attached.get("attach_type").asText());

            long before = NetCounters.TC_INGRESS_PACKETS.in(net);
            sendLoopbackDatagrams(10);
            assertTrue(NetCounters.TC_INGRESS_PACKETS.in(net) - before >= 10, "tcx on lo counts our datagrams");

            Jbpf.Result detach = Jbpf.run("link", "detach", "pinned", pin.toString());
            assertEquals(0, detach.exitCode(), detach::toString);
            assertEquals("", detach.out() + detach.err());
            long detached = NetCounters.TC_INGRESS_PACKETS.in(net);
            sendLoopbackDatagrams(10);
            assertEquals(detached, NetCounters.TC_INGRESS_PACKETS.in(net), "the detached program still counts");

            Jbpf.Result after = Jbpf.run("link", "show", "pinned", pin.toString());
            assertEquals(id + ": tcx  prog " + net.program("tc_ingress_count").id()
                    + "\n\tifindex (detached)  attach_type tcx_ingress\n", after.out());
            if (bpftoolPresent()) {
                assertEquals(Bpftool.json("link", "show", "pinned", pin.toString()),
                        JSON.readTree(Jbpf.run("link", "show", "pinned", pin.toString(), "-j").out()));
            }
        }
    }

    @Test
    void releasedLinkIsGoneAndPerfEventLinksRefuseDetach() throws Exception {
        int linkId;
        Path pin = dir.resolve("released");
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            try (BpfLink link = loaded.program("count_getppid").attach()) {
                linkId = link.id();
                link.pin(pin);
            }
            Jbpf.Result refused = Jbpf.run("link", "detach", "pinned", pin.toString());
            assertEquals(Main.EXIT_FAILED, refused.exitCode(), refused::toString);
            assertEquals(1, refused.errLines().size(), "one line, no stack trace: " + refused);
            assertTrue(refused.err().startsWith("Error: detach pinned link " + pin + ": Operation not supported (EOPNOTSUPP)"),
                    refused::toString);
            Files.delete(pin); // the last holder: the link is released
        }
        assertTrue(dev.jbpf.testing.KernelEffects.eventually(java.time.Duration.ofSeconds(5), () -> {
            try {
                LinkInfo.ofId(linkId);
                return false;
            } catch (BpfNotFoundException gone) {
                return true;
            }
        }), "link " + linkId + " still exists");
        Jbpf.Result show = Jbpf.run("link", "show", "id", String.valueOf(linkId));
        assertEquals(Main.EXIT_FAILED, show.exitCode(), show::toString);
        assertEquals(List.of("Error: open link id " + linkId + ": No such file or directory (ENOENT): no link has this id"
                + " (link list shows those that do)"), show.errLines());
        assertFalse(ids(Jbpf.run("link", "list", "-j")).contains(linkId));
    }

    @Test
    void linksTakeIdOrPinOnly() {
        for (String[] args : new String[][] {{"link", "show", "name", "x"}, {"link", "detach", "tag", "0123456789abcdef"},
                {"link", "pin", "name", "x", "/sys/fs/bpf/y"}, {"link", "show", "id", "0"}, {"link", "show", "id", "2147483648"},
                {"link", "detach", "id", "-3"}, {"link", "show", "id", "seven"}, {"link", "show", "id"}}) {
            Jbpf.Result result = Jbpf.run(args);
            assertEquals(Main.EXIT_USAGE, result.exitCode(), () -> String.join(" ", args) + "\n" + result);
            assertTrue(result.err().startsWith("Error: "), result::toString);
            assertEquals("", result.out(), result::toString);
        }
        Jbpf.Result byName = Jbpf.run("link", "show", "name", "x");
        assertEquals("Error: links are selected by id N | pinned PATH, not by name (links have no name or tag)",
                byName.errLines().get(0));
        assertEquals("Error: link id must be a positive integer up to 2147483647, not '2147483648'",
                Jbpf.run("link", "show", "id", "2147483648").errLines().get(0));
    }

    private static List<Integer> ids(Jbpf.Result result) throws IOException {
        assertEquals(0, result.exitCode(), result::toString);
        List<Integer> ids = new ArrayList<>();
        JSON.readTree(result.out()).forEach(node -> ids.add(node.get("id").asInt()));
        return ids;
    }

    private static boolean bpftoolPresent() {
        boolean present = Bpftool.present();
        if (!present) {
            System.out.println("SKIPPED: the comparison with bpftool (not installed; make deps installs it)");
        }
        return present;
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
