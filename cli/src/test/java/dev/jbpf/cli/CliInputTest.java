package dev.jbpf.cli;

import dev.jbpf.testing.Figures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CLI's inputs, table-driven: keys and values (byte words, hex, JSON arrays) checked
 * against the map's sizes, ids that do not exist, pins of the wrong kind, selectors that
 * match several objects. Failures are one line (plus the usage hint for exit 2), never a
 * stack trace; the accepted forms are checked by reading back what the kernel stored.
 */
@KernelTest
class CliInputTest {
    private static final Figures FIGURES = new Figures("cli-input", "CLI input");
    private static final Path DIR = Path.of("/sys/fs/bpf", "jbpf-test-input-" + ProcessHandle.current().pid());
    private static final String DUPLICATE = "jbpfdup" + ProcessHandle.current().pid() % 100000;

    /** args: the command line, "{M}" the pinned 4-byte-key 8-byte-value hash map and so on (see expand). */
    record Case(String name, String args, int exit, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case fails(String name, String args, String... fragments) {
        return new Case(name, args, Main.EXIT_FAILED, List.of(fragments));
    }

    private static Case usage(String name, String args, String... fragments) {
        return new Case(name, args, Main.EXIT_USAGE, List.of(fragments));
    }

    static Stream<Case> badInputs() {
        return Stream.of(
                fails("key 3 bytes for 4", "map lookup pinned {M} key 1 0 0", "key must be 4 bytes, got 3"),
                fails("key 5 bytes for 4", "map delete pinned {M} key 1 0 0 0 0", "key must be 4 bytes, got 5"),
                fails("hex key 2 bytes for 4", "map lookup pinned {M} key hex 0100", "key must be 4 bytes, got 2"),
                fails("JSON key 3 bytes for 4", "map lookup pinned {M} key [1,0,0]", "key must be 4 bytes, got 3"),
                fails("value 2 bytes for 8", "map update pinned {M} key 1 0 0 0 value 1 2", "value must be 8 bytes, got 2"),
                fails("JSON value 9 bytes for 8", "map update pinned {M} key 1 0 0 0 value [0,0,0,0,0,0,0,0,0]",
                        "value must be 8 bytes, got 9"),
                fails("per-CPU value 3 bytes", "map update pinned {A} key 0 0 0 0 value 1 0 0",
                        "value must be 8 bytes (set on every CPU) or", "got 3"),
                fails("queue value 5 bytes for 4", "map push pinned {Q} value 1 0 0 0 0", "value must be 4 bytes, got 5"),
                usage("byte word over 255", "map lookup pinned {M} key 1 0 0 256", "does not fit in a byte"),
                usage("byte word not a number", "map lookup pinned {M} key 1 0 0 x", "is not a byte"),
                usage("hex with odd digits", "map lookup pinned {M} key hex 010", "even number of hex digits"),
                usage("hex not hex", "map lookup pinned {M} key hex 0g000000", "even number of hex digits"),
                usage("JSON element over 255", "map lookup pinned {M} key [1,0,0,300]", "element 3 (300) is not a byte"),
                usage("JSON element negative", "map lookup pinned {M} key [1,0,0,-1]", "is not a byte"),
                usage("JSON broken", "map lookup pinned {M} key [1,0,", "not a JSON array"),
                usage("JSON object, not array", "map lookup pinned {M} key {\"k\":1}", "expected a non-empty JSON array"),
                usage("JSON empty array", "map lookup pinned {M} key []", "expected a non-empty JSON array"),
                usage("missing value keyword", "map update pinned {M} key 1 0 0 0 1 0 0 0 0 0 0 0", "missing 'value'"),
                fails("key not there", "map lookup pinned {M} key 9 9 9 9", "no such entry"),
                fails("'exist' on a missing key", "map update pinned {M} key 9 9 9 9 value 0 0 0 0 0 0 0 0 exist",
                        "no entry has this key"),
                fails("map id that does not exist", "map dump id 2147483647", "ENOENT", "no map has this id"),
                fails("'exist' update of a map id that does not exist",
                        "map update id 2147483647 key 1 0 0 0 value 1 exist", "no map has this id"),
                fails("'noexist' on a key that is there", "map update pinned {M} key 0 0 0 0 value 0 0 0 0 0 0 0 0 noexist",
                        "EEXIST", "an entry has this key already"),
                fails("program id that does not exist", "prog show id 2147483647", "ENOENT", "no program has this id"),
                usage("map id 0", "map dump id 0", "positive integer"),
                usage("map id too big for 32 bits", "map dump id 4294967296", "positive integer"),
                usage("program id negative", "prog show id -3", "positive integer"),
                fails("program pin given as a map", "map dump pinned {P}", "is a program, not a map"),
                fails("map pin given as a program", "prog show pinned {M}", "is a map, not a program"),
                fails("link pin given as a map", "map dump pinned {L}", "is a link, not a map"),
                fails("link pin given as a program", "prog show pinned {L}", "is a link, not a program"),
                fails("directory of pins given as a map", "map dump pinned {D}", "a directory of pins, not a pin"),
                fails("file off bpffs given as a map", "map dump pinned /etc/hostname", "not on a BPF file system"),
                fails("nothing pinned there", "map show pinned {D}/nothing", "ENOENT"),
                usage("name that matches several maps", "map dump name {DUP}", "several maps are named", "select one with 'id N'"),
                fails("name that matches no map", "map dump name jbpf_no_such_map", "no map of that name"),
                fails("name that matches no program", "prog show name jbpf_no_such_prog", "no program of that name"),
                usage("unknown selector kind", "map dump label 1234", "unknown map selector"),
                usage("a form maps do not take", "map dump tag 1234", "maps have no tag"),
                fails("push onto a hash map", "map push pinned {M} value 1 0 0 0", "not for a hash map"));
    }

    /** Accepted forms: update with one, then read back what the kernel stored. */
    static Stream<List<String>> goodInputs() {
        return Stream.of(
                List.of("key 7 0 0 0 value 42 0 0 0 0 0 0 0", "07 00 00 00", "2a 00 00 00 00 00 00 00"),
                List.of("key 0x08 0 0 0 value 0x2b 0 0 0 0 0 0 1", "08 00 00 00", "2b 00 00 00 00 00 00 01"),
                List.of("key hex 09000000 value hex 2c 00 00 00 00 00 00 02", "09 00 00 00", "2c 00 00 00 00 00 00 02"),
                List.of("key [\"0x0a\",\"0\",0,0] value [45,0,0,0,0,0,0,3]", "0a 00 00 00", "2d 00 00 00 00 00 00 03"));
    }

    @BeforeAll
    static void loadAndPin() {
        Jbpf.Result loaded = Jbpf.run("load", TestSupport.bpfObject("maps").toString(), "--pin", DIR.toString());
        assertEquals(0, loaded.exitCode(), loaded::toString);
        for (String args : List.of("map create {D}/q --type queue --value 4 --entries 4",
                "map create {D}/dup1 --type hash --key 4 --value 4 --entries 4 --name {DUP}",
                "map create {D}/dup2 --type hash --key 4 --value 4 --entries 4 --name {DUP}",
                "map update pinned {M} key 0 0 0 0 value 0 0 0 0 0 0 0 0",
                "attach " + TestSupport.bpfObject("maps") + " count_sys_enter --pin {D}/attached")) {
            Jbpf.Result result = Jbpf.run(expand(args));
            assertEquals(0, result.exitCode(), result::toString);
        }
    }

    @AfterAll
    static void unpin() throws Exception {
        BadInputTest.deleteRecursively(DIR);
        FIGURES.write();
    }

    /** Splits on spaces, then fills in the placeholders (JSON cases hold no spaces). */
    private static String[] expand(String args) {
        return Arrays.stream(args.split(" "))
                .map(word -> word.replace("{M}", DIR + "/maps/hash_map").replace("{A}", DIR + "/maps/percpu_array")
                        .replace("{P}", DIR + "/progs/count_getppid").replace("{Q}", DIR + "/q")
                        .replace("{L}", DIR + "/attached/links/count_sys_enter")
                        .replace("{D}", DIR.toString()).replace("{DUP}", DUPLICATE))
                .toArray(String[]::new);
    }

    /** The check of RELIABILITY.md's table an input counts in, by what it gets wrong. */
    private static String check(Case input) {
        String name = input.name();
        if (name.matches(".*\\d+ bytes.*")) {
            return "keys and values of the wrong size (words, hex, JSON, per-CPU, queue)";
        }
        if (name.contains("id")) {
            return "ids that do not exist or are malformed";
        }
        if (name.contains("pin") || name.contains("nothing pinned") || name.contains("bpffs")) {
            return "pins of the wrong kind, directories, files off bpffs";
        }
        if (name.contains("name") || name.contains("selector")) {
            return "selectors matching several objects, none, or unknown";
        }
        if (name.contains("JSON") || name.contains("hex") || name.contains("byte") || name.contains("keyword")) {
            return "malformed bytes (words, hex, JSON)";
        }
        return "entries and map kinds that do not fit the command";
    }

    private static final String GOOD = "accepted forms: byte words, 0x, hex, JSON; one value for every CPU";
    private static final String GOOD_OUTCOME = "as expected: the kernel holds the bytes given (read back with lookup -j)";
    private static final String BAD_OUTCOME = "as expected: one-line error, exit 1 (failed) or 2 (usage), no stack trace";

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGetsOneClearLine(Case input) throws Exception {
        FIGURES.check(check(input), BAD_OUTCOME, () -> {
            Jbpf.Result result = Jbpf.run(expand(input.args()));
            assertEquals(input.exit(), result.exitCode(), result::toString);
            List<String> lines = result.errLines();
            if (input.exit() == Main.EXIT_USAGE) {
                // the reason, one correct command line, where the usage is
                assertEquals(3, lines.size(), () -> "error lines:\n" + result);
                assertTrue(lines.get(1).startsWith("Example: jbpf "), result::toString);
                assertTrue(lines.get(2).startsWith("Try 'jbpf "), result::toString);
            } else {
                assertEquals(1, lines.size(), () -> "error lines:\n" + result);
            }
            assertTrue(lines.get(0).startsWith("Error: "), result::toString);
            for (String fragment : input.fragments()) {
                assertTrue(lines.get(0).contains(fragment), () -> "expected '" + fragment + "' in\n" + result);
            }
            assertFalse(result.err().contains("\tat "), result::toString);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodInputs")
    void acceptedFormsStoreTheBytesGiven(List<String> input) throws Exception {
        FIGURES.check(GOOD, GOOD_OUTCOME, () -> {
            Jbpf.Result update = Jbpf.run(expand("map update pinned {M} " + input.get(0)));
            assertEquals(0, update.exitCode(), update::toString);
            String key = input.get(0).substring(0, input.get(0).indexOf(" value"));
            Jbpf.Result lookup = Jbpf.run(expand("map lookup pinned {M} " + key + " -j"));
            assertEquals(0, lookup.exitCode(), lookup::toString);
            JsonNode entry = new ObjectMapper().readTree(lookup.out());
            assertEquals(input.get(1), hexWords(entry.get("key")), lookup::toString);
            assertEquals(input.get(2), hexWords(entry.get("value")), lookup::toString);
        });
    }

    /** bpftool's JSON bytes ["0x2a","0x00"] as "2a 00". */
    private static String hexWords(JsonNode bytes) {
        List<String> words = new java.util.ArrayList<>();
        bytes.forEach(b -> words.add(b.asText().substring(2)));
        return String.join(" ", words);
    }

    @org.junit.jupiter.api.Test
    void oneValueForAPerCpuMapGoesToEveryCpu() throws Exception {
        FIGURES.check(GOOD, GOOD_OUTCOME, () -> {
            Jbpf.Result update = Jbpf.run(expand("map update pinned {A} key 1 0 0 0 value 5 0 0 0 0 0 0 0"));
            assertEquals(0, update.exitCode(), update::toString);
            Jbpf.Result lookup = Jbpf.run(expand("map lookup pinned {A} key 1 0 0 0 -j"));
            assertEquals(0, lookup.exitCode(), lookup::toString);
            JsonNode values = new ObjectMapper().readTree(lookup.out()).get("values");
            assertTrue(values.size() >= 1, lookup::toString);
            for (JsonNode cpu : values) {
                assertEquals("05 00 00 00 00 00 00 00", hexWords(cpu.get("value")), lookup::toString);
            }
        });
    }
}
