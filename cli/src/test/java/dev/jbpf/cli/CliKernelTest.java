package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against the running kernel: every assertion rests on something the kernel did. */
@KernelTest
class CliKernelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PID = (int) ProcessHandle.current().pid();
    @TempDir
    Path temp;

    private static Path pinDir(String what) {
        return Path.of("/sys/fs/bpf", "jbpf-test-" + what + "-" + PID);
    }

    @Test
    void attachStreamsRingBufferRecordsOfOurOwnOpens() throws Exception {
        java.util.Map<String, Integer> before = Jbpf.bpfFds(); // not the kernel's list: other processes load programs too
        Path file = Files.writeString(temp.resolve("opened-by-cli-test-" + PID), "x");
        CompletableFuture<Jbpf.Result> attach = CompletableFuture.supplyAsync(() -> Jbpf.run(
                "attach", TestSupport.bpfObject("opensnoop").toString(), "--duration", "3", "-j"));
        while (!attach.isDone()) {
            Files.readAllBytes(file); // openat(2), seen by the tracepoint once attached
            Thread.sleep(50);
        }
        Jbpf.Result result = attach.get(10, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result::toString);

        boolean found = false;
        for (String line : result.out().lines().toList()) {
            JsonNode record = JSON.readTree(line);
            if (!record.has("data")) {
                continue; // JSON Lines: the summary before the records and the end after them
            }
            assertEquals("events", record.get("map").asText(), line);
            byte[] data = bytes(record.get("data"));
            int pid = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            String filename = cString(data, 32, 256);
            if (pid == PID && filename.equals(file.toString())) {
                found = true;
            }
        }
        assertTrue(found, () -> "no record of this process opening " + file + " in\n" + result);
        assertEquals(before, Jbpf.bpfFds(), "attach left programs, maps or links open after detaching");
    }

    @Test
    void attachInTextModeSaysWhatItAttachedAndDetached() {
        Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "count_getppid",
                "--duration", "0.5", "--dump-maps");
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.out().contains("Attached 1 program of maps"), result::toString);
        assertTrue(result.out().contains("count_getppid"), result::toString);
        assertFalse(result.out().contains("count_sys_enter"), "an unnamed program was attached\n" + result);
        assertTrue(result.out().contains("Map array_map (array):"), result::toString);
        assertTrue(result.out().contains("Detached"), result::toString);
    }

    @Test
    void attachWithPinLeavesProgramsAttachedAfterExit() throws Exception {
        Path dir = pinDir("attach-pin");
        try {
            Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "count_getppid",
                    "--pin", dir.toString());
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(Files.exists(dir.resolve("links/count_getppid")), "link not pinned");
            assertTrue(Files.exists(dir.resolve("progs/count_getppid")), "program not pinned");
            assertTrue(Files.exists(dir.resolve("maps/array_map")), "map not pinned");

            long before = arrayMapSlotZero(dir);
            TestSupport.getppid(25);
            long after = arrayMapSlotZero(dir);
            assertTrue(after - before >= 25, "array_map[0] moved by " + (after - before) + ", expected >= 25");
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }

    @Test
    void atAttachesWhereTheCommandLineSays() throws Throwable {
        Path dir = pinDir("at");
        try {
            // count_getppid's section says sys_enter_getppid; --at moves it to sys_enter_getpid
            Jbpf.Result result = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "count_getppid",
                    "--at", "count_getppid=tp/syscalls/sys_enter_getpid", "--pin", dir.toString());
            assertEquals(0, result.exitCode(), result::toString);
            long before = arrayMapSlotZero(dir);
            var getpid = java.lang.foreign.Linker.nativeLinker().downcallHandle(
                    java.lang.foreign.Linker.nativeLinker().defaultLookup().find("getpid").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT));
            for (int i = 0; i < 30; i++) {
                int unused = (int) getpid.invokeExact();
            }
            long after = arrayMapSlotZero(dir);
            assertTrue(after - before >= 30, "array_map[0] moved by " + (after - before) + ", expected >= 30");
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
        Jbpf.Result unknownKind = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(),
                "--at", "count_getppid=nonsense/x", "--duration", "1");
        assertEquals(Main.EXIT_USAGE, unknownKind.exitCode(), unknownKind::toString);
        Jbpf.Result unknownProgram = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(),
                "--at", "nope=tp/syscalls/sys_enter_getpid", "--duration", "1");
        assertEquals(Main.EXIT_FAILED, unknownProgram.exitCode(), unknownProgram::toString);
        assertTrue(unknownProgram.err().contains("nope"), unknownProgram::toString);
    }

    @Test
    void setGivesGlobalVariablesTheirValuesBeforeLoad() throws Exception {
        Path dir = pinDir("globals");
        try {
            // count_target counts getppid calls of target_pid only (a const volatile in .rodata)
            Jbpf.Result attach = Jbpf.run("attach", TestSupport.bpfObject("globals").toString(), "count_target",
                    "--set", "target_pid=" + PID, "--pin", dir.toString());
            assertEquals(0, attach.exitCode(), attach::toString);
            TestSupport.getppid(7);
            Path bss;
            try (var maps = Files.list(dir.resolve("maps"))) {
                bss = maps.filter(p -> p.getFileName().toString().endsWith("_bss")).findFirst().orElseThrow();
            }
            Jbpf.Result dump = Jbpf.run("map", "dump", "pinned", bss.toString(), "-j");
            assertEquals(0, dump.exitCode(), dump::toString);
            JsonNode hits = JSON.readTree(dump.out()).get(0).get("formatted").get("value").get("hits");
            assertEquals(7, hits.asInt(), dump::toString);
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
        Jbpf.Result unknown = Jbpf.run("load", TestSupport.bpfObject("globals").toString(), "--set", "no_such_var=1");
        assertEquals(Main.EXIT_USAGE, unknown.exitCode(), unknown::toString);
        assertTrue(unknown.err().contains("no_such_var"), unknown::toString);
        Jbpf.Result notANumber = Jbpf.run("load", TestSupport.bpfObject("globals").toString(), "--set", "target_pid=abc");
        assertEquals(Main.EXIT_USAGE, notANumber.exitCode(), notANumber::toString);
    }

    private static long arrayMapSlotZero(Path dir) throws IOException {
        Jbpf.Result dump = Jbpf.run("map", "dump", "pinned", dir.resolve("maps/array_map").toString(), "-j");
        assertEquals(0, dump.exitCode(), dump::toString);
        JsonNode first = JSON.readTree(dump.out()).get(0);
        return ByteBuffer.wrap(bytes(first.get("value"))).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void mapDumpJsonEqualsBpftool() throws Exception {
        Path dir = pinDir("dump");
        try {
            Jbpf.Result attach = Jbpf.run("attach", TestSupport.bpfObject("maps").toString(), "count_getppid",
                    "--pin", dir.toString());
            assertEquals(0, attach.exitCode(), attach::toString);
            TestSupport.getppid(40);
            // detach before comparing: any process calling getppid would change the maps between the two dumps
            BadInputTest.deleteRecursively(dir.resolve("links"));

            for (String map : List.of("hash_map", "array_map", "percpu_array", "lru_map")) {
                Path pinned = dir.resolve("maps").resolve(map);
                Jbpf.Result ours = Jbpf.run("map", "dump", "pinned", pinned.toString(), "-j");
                assertEquals(0, ours.exitCode(), ours::toString);
                JsonNode jbpf = JSON.readTree(ours.out());
                JsonNode bpftool = JSON.readTree(bpftool("map", "dump", "pinned", pinned.toString(), "-j"));
                assertTrue(jbpf.size() > 0, map + " is empty");
                assertTrue(jbpf.get(0).has("formatted"), map + ": no BTF-formatted values: " + ours.out());
                assertEquals(bpftool, jbpf, map + ": jbpf and bpftool differ");
            }
            // the kernel effect behind the dumps: our own pid counted 40 getppid calls in hash_map
            Jbpf.Result hash = Jbpf.run("map", "dump", "pinned", dir.resolve("maps/hash_map").toString(), "-j");
            boolean counted = false;
            for (JsonNode entry : JSON.readTree(hash.out())) {
                int key = ByteBuffer.wrap(bytes(entry.get("key"))).order(ByteOrder.LITTLE_ENDIAN).getInt();
                long value = ByteBuffer.wrap(bytes(entry.get("value"))).order(ByteOrder.LITTLE_ENDIAN).getLong();
                counted |= key == PID && value >= 40;
            }
            assertTrue(counted, "hash_map has no count >= 40 for pid " + PID + ": " + hash.out());
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }

    @Test
    void mapAndProgListShowWhatWeLoaded() throws Exception {
        Path dir = pinDir("list");
        try {
            Jbpf.Result load = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", dir.toString(), "-j");
            assertEquals(0, load.exitCode(), load::toString);
            JsonNode loaded = JSON.readTree(load.out());
            int progId = 0;
            for (JsonNode program : loaded.get("programs")) {
                if (program.get("name").asText().equals("count_getppid")) {
                    progId = program.get("id").asInt();
                }
            }
            int mapId = loaded.get("maps").get(0).get("id").asInt();
            assertTrue(progId > 0 && mapId > 0, load::toString);

            Jbpf.Result progs = Jbpf.run("prog", "list", "-j");
            int listedId = progId;
            assertTrue(ids(progs).contains(listedId), () -> "prog " + listedId + " not listed: " + progs);
            Jbpf.Result maps = Jbpf.run("map", "list", "-j");
            assertTrue(ids(maps).contains(mapId), () -> "map " + mapId + " not listed: " + maps);
            for (String[] selector : new String[][] {{"id", String.valueOf(progId)},
                    {"pinned", dir.resolve("progs/count_getppid").toString()}, {"name", "count_getppid"}}) {
                Jbpf.Result one = Jbpf.run("prog", "show", selector[0], selector[1], "-j");
                assertTrue(ids(one).contains(listedId), () -> String.join(" ", selector) + ": " + one);
            }
            Jbpf.Result notAProgram = Jbpf.run("prog", "show", "pinned", dir.resolve("maps/hash_map").toString());
            assertEquals(Main.EXIT_FAILED, notAProgram.exitCode(), notAProgram::toString);
            assertTrue(notAProgram.err().contains("not a program"), notAProgram::toString);
            Jbpf.Result mapById = Jbpf.run("map", "show", "id", String.valueOf(mapId), "-j");
            assertEquals(List.of(mapId), ids(mapById), mapById::toString);

            Jbpf.Result byId = Jbpf.run("map", "dump", "id", String.valueOf(mapId));
            assertEquals(0, byId.exitCode(), byId::toString);
            assertTrue(byId.out().startsWith("key") || byId.out().contains("Found"), byId::toString);
        } finally {
            BadInputTest.deleteRecursively(dir);
        }
    }

    private static List<Integer> ids(Jbpf.Result result) throws IOException {
        assertEquals(0, result.exitCode(), result::toString);
        List<Integer> ids = new ArrayList<>();
        JsonNode shown = JSON.readTree(result.out());
        if (shown.isObject()) { // show of one object prints that object, as bpftool does
            return List.of(shown.get("id").asInt());
        }
        shown.forEach(node -> ids.add(node.get("id").asInt()));
        return ids;
    }

    private static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bpftool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "bpftool failed: " + out);
        return out;
    }

    static byte[] bytes(JsonNode hexArray) {
        byte[] bytes = new byte[hexArray.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hexArray.get(i).asText().substring(2), 16);
        }
        return bytes;
    }

    static String cString(byte[] data, int offset, int max) {
        int end = offset;
        while (end < Math.min(data.length, offset + max) && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }
}
