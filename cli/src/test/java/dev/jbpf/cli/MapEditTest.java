package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** jbpf map lookup / update / delete / pin against pinned kernel maps, cross-checked with bpftool. */
@KernelTest
class MapEditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-edit-" + ProcessHandle.current().pid());

    @BeforeEach
    void loadMaps() {
        Jbpf.Result load = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", dir.toString());
        assertEquals(0, load.exitCode(), load::toString);
    }

    @AfterEach
    void unpin() throws Exception {
        BadInputTest.deleteRecursively(dir);
    }

    private String hashMap() {
        return dir.resolve("maps/hash_map").toString();
    }

    /** Commands that print nothing print JSON's null with -j, byte for byte as bpftool does. */
    @Test
    void silentCommandsPrintNullInJson() throws Exception {
        String[][] commands = {
                {"map", "update", "pinned", hashMap(), "key", "9", "0", "0", "0", "value", "1", "0", "0", "0", "0", "0", "0", "0"},
                {"map", "delete", "pinned", hashMap(), "key", "9", "0", "0", "0"},
                {"map", "pin", "pinned", hashMap(), dir.resolve("pinned_again").toString()},
        };
        for (String[] command : commands) {
            String[] json = java.util.Arrays.copyOf(command, command.length + 1);
            json[command.length] = "-j";
            Jbpf.Result ours = Jbpf.run(json);
            assertEquals(0, ours.exitCode(), ours::toString);
            assertEquals("null\n", ours.out(), ours::toString);
            // each took effect in the kernel, not only printed null: the entry is there after the
            // update, gone after the delete
            Jbpf.Result lookup = Jbpf.run("map", "lookup", "pinned", hashMap(), "key", "9", "0", "0", "0");
            if (command[1].equals("update")) {
                assertEquals(0, lookup.exitCode(), lookup::toString);
            } else if (command[1].equals("delete")) {
                assertEquals(Main.EXIT_FAILED, lookup.exitCode(), lookup::toString);
            }
        }
        assertEquals("null", bpftool("map", "update", "pinned", hashMap(), "key", "9", "0", "0", "0",
                "value", "1", "0", "0", "0", "0", "0", "0", "0", "-j").strip(), "bpftool's answer");
    }

    @Test
    void updateThenLookupThenDelete() throws Exception {
        Jbpf.Result update = Jbpf.run("map", "update", "pinned", hashMap(), "key", "7", "0", "0", "0",
                "value", "hex", "2a00000000000000");
        assertEquals(0, update.exitCode(), update::toString);

        Jbpf.Result lookup = Jbpf.run("map", "lookup", "pinned", hashMap(), "key", "0x07", "0", "0", "0", "-j");
        assertEquals(0, lookup.exitCode(), lookup::toString);
        JsonNode ours = JSON.readTree(lookup.out());
        assertEquals(42, ours.get("formatted").get("value").asInt(), lookup::toString);
        JsonNode bpftool = JSON.readTree(bpftool("map", "lookup", "pinned", hashMap(), "key", "7", "0", "0", "0", "-j"));
        assertEquals(bpftool, ours, "jbpf and bpftool disagree on the entry");

        Jbpf.Result again = Jbpf.run("map", "update", "pinned", hashMap(), "key", "7", "0", "0", "0",
                "value", "1", "0", "0", "0", "0", "0", "0", "0", "noexist");
        assertEquals(Main.EXIT_FAILED, again.exitCode(), again::toString);
        assertTrue(again.err().contains("EEXIST"), again::toString);

        Jbpf.Result delete = Jbpf.run("map", "delete", "pinned", hashMap(), "key", "7", "0", "0", "0");
        assertEquals(0, delete.exitCode(), delete::toString);
        Jbpf.Result gone = Jbpf.run("map", "lookup", "pinned", hashMap(), "key", "7", "0", "0", "0");
        assertEquals(Main.EXIT_FAILED, gone.exitCode(), gone::toString);
        assertTrue(gone.err().contains("no such entry"), gone::toString);
    }

    @Test
    void wrongSizesAndBadBytesAreClearErrors() {
        Jbpf.Result shortKey = Jbpf.run("map", "lookup", "pinned", hashMap(), "key", "7", "0");
        assertEquals(Main.EXIT_FAILED, shortKey.exitCode(), shortKey::toString);
        assertTrue(shortKey.err().contains("key must be 4 bytes, got 2"), shortKey::toString);

        Jbpf.Result notAByte = Jbpf.run("map", "lookup", "pinned", hashMap(), "key", "7", "0", "0", "256");
        assertEquals(Main.EXIT_USAGE, notAByte.exitCode(), notAByte::toString);
        Jbpf.Result noKey = Jbpf.run("map", "lookup", "pinned", hashMap(), "7", "0", "0", "0");
        assertEquals(Main.EXIT_USAGE, noKey.exitCode(), noKey::toString);
    }

    @Test
    void pinAMapSelectedById() throws Exception {
        JsonNode info = JSON.readTree(bpftool("map", "show", "pinned", hashMap(), "-j"));
        Path second = dir.resolve("second-pin");
        Jbpf.Result pin = Jbpf.run("map", "pin", "id", info.get("id").asText(), second.toString());
        assertEquals(0, pin.exitCode(), pin::toString);
        JsonNode again = JSON.readTree(bpftool("map", "show", "pinned", second.toString(), "-j"));
        assertEquals(info.get("id"), again.get("id"));
    }

    private static String bpftool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "bpftool";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "bpftool failed: " + out);
        return out;
    }
}
