package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code prog|map|link show -j} in bpftool's shapes (one object for one selected object, the
 * same fields in the same order with the same types, compared with bpftool's own output),
 * full program names from BTF, {@code prog pin}, and the map edits' -j.
 */
@KernelTest
class ShowJsonCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields that move while the kernel runs the program (when statistics are on, by anyone). */
    private static final Set<String> MOVING = Set.of("run_time_ns", "run_cnt", "recursion_misses");
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-showjson-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() throws IOException {
        BadInputTest.deleteRecursively(dir);
    }

    @Test
    void showJsonIsBpftoolsShape() throws Exception {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load();
                BpfLink link = loaded.program("count_sys_enter").attach()) {
            String progId = String.valueOf(loaded.program("count_sys_enter").id());
            String mapId = String.valueOf(loaded.map("hash_map").id());
            String linkId = String.valueOf(link.id());
            JsonNode prog = jbpfJson("prog", "show", "id", progId);
            JsonNode map = jbpfJson("map", "show", "id", mapId);
            JsonNode shownLink = jbpfJson("link", "show", "id", linkId);
            for (JsonNode shown : List.of(prog, map, shownLink)) {
                assertTrue(shown.isObject(), "one object for one selected object: " + shown);
            }
            assertFalse(prog.get("orphaned").asBoolean());
            assertTrue(prog.get("bytes_memlock").asLong() > 0, prog::toString);
            assertTrue(map.get("bytes_memlock").asLong() > 0, map::toString);
            assertEquals(0, map.get("frozen").asInt());
            assertTrue(map.get("frozen").isIntegralNumber(), "bpftool prints frozen as a number: " + map);
            for (String kind : List.of("prog", "map", "link")) {
                Jbpf.Result list = Jbpf.run(kind, "list", "-j");
                assertEquals(0, list.exitCode(), list::toString);
                assertTrue(JSON.readTree(list.out()).isArray(), kind + " list -j is an array: " + list);
            }
            if (!Bpftool.present()) {
                System.out.println("SKIPPED: the field-by-field comparison with bpftool (not installed; make deps installs it)");
                return;
            }
            assertSameShape(Bpftool.json("prog", "show", "id", progId), prog);
            assertSameShape(Bpftool.json("map", "show", "id", mapId), map);
            assertSameShape(Bpftool.json("link", "show", "id", linkId), shownLink);
        }
    }

    @Test
    void frozenMapsSayFrozen() throws Exception {
        Path queue = dir.resolve("q");
        assertEquals(0, Jbpf.run("map", "create", queue.toString(), "--type", "queue", "--value", "4", "--entries", "4").exitCode());
        assertEquals(0, Jbpf.run("map", "freeze", "pinned", queue.toString()).exitCode());
        JsonNode shown = jbpfJson("map", "show", "pinned", queue.toString());
        assertEquals(1, shown.get("frozen").asInt(), shown::toString);
        Jbpf.Result text = Jbpf.run("map", "show", "pinned", queue.toString());
        assertTrue(text.out().endsWith("\tfrozen\n"), text::toString);
        if (Bpftool.present()) {
            assertSameShape(Bpftool.json("map", "show", "pinned", queue.toString()), shown);
            assertEquals(Bpftool.text("map", "show", "pinned", queue.toString()), text.out());
        }
    }

    @Test
    void longProgramNamesAreShownAndFoundInFull() throws Exception {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("uprobes")).load()) {
            int id = loaded.program("count_getppid_by_section").id();
            JsonNode shown = jbpfJson("prog", "show", "id", String.valueOf(id));
            assertEquals("count_getppid_by_section", shown.get("name").asText());
            for (String name : List.of("count_getppid_by_section", "count_getppid_b")) {
                Jbpf.Result byName = Jbpf.run("prog", "show", "name", name, "-j");
                assertEquals(0, byName.exitCode(), byName::toString);
                assertTrue(ids(JSON.readTree(byName.out())).contains(id), name + ": " + byName);
            }
            Jbpf.Result text = Jbpf.run("prog", "show", "id", String.valueOf(id));
            assertTrue(text.out().startsWith(id + ": kprobe  name count_getppid_by_section  tag "), text::toString);
            // the kernel cuts both to count_getppid_ : the full names keep them apart
            int multi = loaded.program("count_getppid_multi_by_section").id();
            assertEquals("count_getppid_multi_by_section", jbpfJson("prog", "show", "id", String.valueOf(multi)).get("name").asText());
            if (Bpftool.present()) {
                assertEquals(Bpftool.text("prog", "show", "id", String.valueOf(id)), text.out());
                assertEquals(Bpftool.json("prog", "show", "id", String.valueOf(id)).get("name"), shown.get("name"));
            }
        }
    }

    @Test
    void progPinKeepsTheProgramLoaded() throws Exception {
        Path pin = dir.resolve("progs/getppid");
        int id;
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            id = loaded.program("count_getppid").id();
            Jbpf.Result badMode = Jbpf.run("prog", "pin", "id", String.valueOf(id), pin.toString(), "--pin-mode", "999");
            assertEquals(Main.EXIT_USAGE, badMode.exitCode(), badMode::toString);
            assertFalse(Files.exists(pin));
            Jbpf.Result pinned = Jbpf.run("prog", "pin", "id", String.valueOf(id), pin.toString(), "-j");
            assertEquals(0, pinned.exitCode(), pinned::toString);
            assertEquals("null\n", pinned.out() + pinned.err(), "bpftool's -j answer to a command with no output");
            assertEquals(id, ProgramInfo.ofPinned(pin).id());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pin)));

            Jbpf.Result again = Jbpf.run("prog", "pin", "pinned", pin.toString(), pin.toString());
            assertEquals(Main.EXIT_FAILED, again.exitCode(), again::toString);
            assertTrue(again.err().contains("--force"), again::toString);
            Path second = dir.resolve("progs/second");
            assertEquals(0, Jbpf.run("prog", "pin", "pinned", pin.toString(), second.toString()).exitCode());
            assertEquals(id, ProgramInfo.ofPinned(second).id());
            Jbpf.Result offBpffs = Jbpf.run("prog", "pin", "id", String.valueOf(id), "/tmp/jbpf-not-bpffs");
            assertEquals(Main.EXIT_FAILED, offBpffs.exitCode(), offBpffs::toString);
            assertEquals(1, offBpffs.errLines().size(), offBpffs::toString);
        }
        assertEquals(id, ProgramInfo.ofId(id).id(), "the pins keep the program after its object closed");
        BadInputTest.deleteRecursively(dir);
        int unpinned = id;
        assertTrue(KernelEffects.eventually(Duration.ofSeconds(5), () -> {
            try {
                ProgramInfo.ofId(unpinned);
                return false;
            } catch (BpfNotFoundException gone) {
                return true;
            }
        }), "program " + id + " still loaded without its pins");
    }

    @Test
    void mapEditsTakeJsonAndPrintNull() throws Exception {
        Path map = dir.resolve("edited");
        Jbpf.Result create = Jbpf.run("map", "create", map.toString(), "--type", "hash", "--key", "4", "--value", "4",
                "--entries", "4", "-j");
        assertEquals(0, create.exitCode(), create::toString);
        assertEquals("null\n", create.out() + create.err());
        Jbpf.Result update = Jbpf.run("map", "update", "pinned", map.toString(), "key", "1", "0", "0", "0", "value", "7", "0",
                "0", "0", "-j");
        assertEquals(0, update.exitCode(), update::toString);
        assertEquals("null\n", update.out() + update.err());
        JsonNode entry = jbpfJson("map", "lookup", "pinned", map.toString(), "key", "1", "0", "0", "0");
        assertEquals("0x07", entry.get("value").get(0).asText(), entry::toString);
        Jbpf.Result delete = Jbpf.run("map", "delete", "pinned", map.toString(), "key", "1", "0", "0", "0", "-j");
        assertEquals(0, delete.exitCode(), delete::toString);
        assertEquals("null\n", delete.out() + delete.err());
        assertEquals(Main.EXIT_FAILED, Jbpf.run("map", "lookup", "pinned", map.toString(), "key", "1", "0", "0", "0").exitCode(),
                "the entry is gone");
    }

    /**
     * The same field names in the same order with the same JSON types as bpftool's, and the same
     * values but for counters that move ({@link Bpftool#json} leaves out bpftool's "pids").
     */
    private static void assertSameShape(JsonNode bpftool, JsonNode jbpf) {
        ObjectNode expected = bpftool.deepCopy();
        List<String> expectedFields = new ArrayList<>();
        expected.fieldNames().forEachRemaining(expectedFields::add);
        List<String> fields = new ArrayList<>();
        jbpf.fieldNames().forEachRemaining(fields::add);
        assertEquals(expectedFields, fields, "bpftool " + bpftool + "\njbpf    " + jbpf);
        for (String field : expectedFields) {
            assertEquals(expected.get(field).getNodeType(), jbpf.get(field).getNodeType(), field + ": " + bpftool + "\n" + jbpf);
            if (!MOVING.contains(field)) {
                assertEquals(expected.get(field), jbpf.get(field), field + ": " + bpftool + "\n" + jbpf);
            }
        }
    }

    private static JsonNode jbpfJson(String... args) throws IOException {
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.add("-j");
        Jbpf.Result result = Jbpf.run(withJson.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result::toString);
        return JSON.readTree(result.out());
    }

    private static List<Integer> ids(JsonNode shown) {
        List<Integer> ids = new ArrayList<>();
        if (shown.isObject()) {
            ids.add(shown.get("id").asInt());
        } else {
            shown.forEach(node -> ids.add(node.get("id").asInt()));
        }
        return ids;
    }
}
