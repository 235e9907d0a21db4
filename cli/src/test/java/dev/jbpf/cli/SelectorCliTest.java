package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The one object selector of every prog, map and link command: {@code id N | pinned PATH | name
 * NAME | tag TAG}, ids out of range and forms an object does not take are usage errors (exit
 * 2), names and tags find what is loaded, name typos are answered with the closest names.
 */
class SelectorCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @UnitTest
    void idsOutOfRangeAreUsageErrorsEverywhere() {
        String[][] commands = {{"prog", "show"}, {"prog", "dump", "xlated"}, {"prog", "dump", "jited"}, {"map", "show"},
                {"map", "dump"}, {"map", "freeze"}, {"map", "pop"}, {"link", "show"}, {"link", "detach"}};
        for (String[] command : commands) {
            for (String id : List.of("0", "-1", "2147483648", "9999999999", "12abc")) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of("id", id));
                Jbpf.Result result = Jbpf.run(args.toArray(String[]::new));
                String what = String.join(" ", args) + "\n" + result;
                assertEquals(Main.EXIT_USAGE, result.exitCode(), what);
                String noun = switch (command[0]) {
                    case "prog" -> "program";
                    default -> command[0];
                };
                assertEquals("Error: " + noun + " id must be a positive integer up to 2147483647, not '" + id + "'",
                        result.errLines().get(0), what);
                assertEquals("", result.out(), what);
            }
        }
        // the commands whose selector is followed by more words check it as well
        for (String[] args : new String[][] {{"prog", "pin", "id", "0", "/sys/fs/bpf/x"}, {"map", "pin", "id", "0", "/sys/fs/bpf/x"},
                {"link", "pin", "id", "0", "/sys/fs/bpf/x"}, {"map", "lookup", "id", "0", "key", "0"},
                {"map", "update", "id", "0", "key", "0", "value", "0"}, {"map", "delete", "id", "0", "key", "0"}}) {
            Jbpf.Result result = Jbpf.run(args);
            assertEquals(Main.EXIT_USAGE, result.exitCode(), () -> String.join(" ", args) + "\n" + result);
            assertTrue(result.errLines().get(0).endsWith(" id must be a positive integer up to 2147483647, not '0'"),
                    result::toString);
        }
    }

    @Test
    @UnitTest
    void formsAnObjectDoesNotTakeAreUsageErrors() {
        Jbpf.Result mapTag = Jbpf.run("map", "show", "tag", "0123456789abcdef");
        assertEquals(Main.EXIT_USAGE, mapTag.exitCode(), mapTag::toString);
        assertEquals("Error: maps are selected by id N | pinned PATH | name NAME, not by tag (maps have no tag)",
                mapTag.errLines().get(0));
        Jbpf.Result badTag = Jbpf.run("prog", "show", "tag", "a95c043c8a54c9");
        assertEquals(Main.EXIT_USAGE, badTag.exitCode(), badTag::toString);
        assertEquals("Error: a program tag is 16 hex digits, as prog list prints it, not 'a95c043c8a54c9'",
                badTag.errLines().get(0));
        Jbpf.Result unknown = Jbpf.run("prog", "show", "label", "x");
        assertEquals(Main.EXIT_USAGE, unknown.exitCode(), unknown::toString);
        assertEquals("Error: unknown program selector 'label': expected id N | pinned PATH | name NAME | tag TAG",
                unknown.errLines().get(0));
        Jbpf.Result half = Jbpf.run("map", "dump", "name");
        assertEquals(Main.EXIT_USAGE, half.exitCode(), half::toString);
    }

    @Test
    @KernelTest
    void tagAndNameFindLoadedPrograms() throws Exception {
        try (LoadedObject first = BpfObject.open(TestSupport.bpfObject("maps")).load();
                LoadedObject second = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            int firstId = first.program("count_getppid").id();
            int secondId = second.program("count_getppid").id();
            String tag = ProgramInfo.ofId(firstId).tag();

            // the same instructions twice: one tag, two programs, printed as an array (bpftool does too)
            for (String form : List.of(tag, tag.toUpperCase(Locale.ROOT))) {
                Jbpf.Result byTag = Jbpf.run("prog", "show", "tag", form, "-j");
                assertEquals(0, byTag.exitCode(), byTag::toString);
                JsonNode shown = JSON.readTree(byTag.out());
                assertTrue(shown.isArray(), byTag::toString);
                List<Integer> ids = new ArrayList<>();
                shown.forEach(node -> ids.add(node.get("id").asInt()));
                assertTrue(ids.containsAll(List.of(firstId, secondId)), byTag::toString);
                shown.forEach(node -> assertEquals(tag, node.get("tag").asText()));
            }
            Jbpf.Result noSuchTag = Jbpf.run("prog", "show", "tag", "0000000000000001");
            assertEquals(Main.EXIT_FAILED, noSuchTag.exitCode(), noSuchTag::toString);
            assertEquals(1, noSuchTag.errLines().size(), noSuchTag::toString);

            // a name that several programs have: show lists them all, pin needs one
            Jbpf.Result byName = Jbpf.run("prog", "show", "name", "count_getppid", "-j");
            assertTrue(JSON.readTree(byName.out()).size() >= 2, byName::toString);
            Jbpf.Result ambiguous = Jbpf.run("prog", "pin", "name", "count_getppid", "/sys/fs/bpf/jbpf-test-never");
            assertEquals(Main.EXIT_USAGE, ambiguous.exitCode(), ambiguous::toString);
            assertTrue(ambiguous.errLines().get(0).startsWith("Error: several programs are named 'count_getppid' (ids "),
                    ambiguous::toString);
            Jbpf.Result mapAmbiguous = Jbpf.run("map", "dump", "name", "array_map");
            assertEquals(Main.EXIT_USAGE, mapAmbiguous.exitCode(), mapAmbiguous::toString);
            assertTrue(mapAmbiguous.errLines().get(0).contains("select one with 'id N'"), mapAmbiguous::toString);
        }
    }

    @Test
    @KernelTest
    void nameTyposListTheClosestLoadedNames() throws Exception {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            Jbpf.Result program = Jbpf.run("prog", "show", "name", "count_getppdi");
            assertEquals(Main.EXIT_FAILED, program.exitCode(), program::toString);
            assertEquals(1, program.errLines().size(), program::toString);
            String line = program.errLines().get(0);
            assertTrue(line.startsWith("Error: find program named 'count_getppdi': no program of that name is loaded; similar: "),
                    line);
            List<String> similar = List.of(line.substring(line.indexOf("similar: ") + "similar: ".length()).split(", "));
            assertTrue(similar.contains("count_getppid") && similar.size() <= 3, line);

            Jbpf.Result map = Jbpf.run("map", "dump", "name", "hash_mpa");
            assertEquals(Main.EXIT_FAILED, map.exitCode(), map::toString);
            assertTrue(map.errLines().get(0).contains("no map of that name is loaded; similar: ")
                    && map.errLines().get(0).contains("hash_map"), map::toString);
            Jbpf.Result dump = Jbpf.run("prog", "dump", "xlated", "name", "count_getppdi");
            assertEquals(program.err(), dump.err());
        }
    }
}
