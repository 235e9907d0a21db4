package dev.jbpf.exporter;

import static dev.jbpf.exporter.BeyondEbpfExporterKernelTest.programId;
import static dev.jbpf.exporter.ExporterKernelTest.install;
import static dev.jbpf.exporter.ExporterKernelTest.programsNamed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibC;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapInfo;
import dev.jbpf.program.ProgramInfo;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cgroup_id_map} on the running kernel, both types (bpf-src/export_cgroup_hash.bpf.c,
 * bpf-src/export_cgroup_storage.bpf.c): the test makes cgroups under the cgroup2 mount
 * ({@code jbpf-cgtest-RANDOM/match1}, {@code .../other}; the configs' regexp matches
 * {@code match*} only), moves a child shell into each, which then runs {@code /bin/true} a known
 * number of times, and checks by scrape that the execs of the matching cgroup, and only those, were
 * counted as matched, exactly; then that a cgroup made after the exporter started is put in the
 * map within the stated latency (inotify: well under a second) and that a removed one leaves it.
 * The cgroups are removed afterwards (their processes have exited by then).
 */
@KernelTest(root = true)
class CgroupIdMapKernelTest {
    /** The exporter's latency, inotify-driven: MIN_SPACING (100 ms) plus a walk; generous for a loaded 2-CPU machine. */
    private static final long PICKUP_NANOS = TimeUnit.SECONDS.toNanos(2);

    @TempDir
    Path dir;
    private Path base;

    @BeforeEach
    void makeBase() throws IOException {
        Path root = CgroupTree.cgroup2Root();
        assertNotNull(root, "no cgroup2 mount");
        base = Files.createDirectory(root.resolve("jbpf-cgtest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())));
    }

    /** Removes the test's cgroups, deepest first, after moving any process left in them to the root cgroup. */
    @AfterEach
    void removeCgroups() throws IOException {
        if (base == null || !Files.isDirectory(base)) {
            return;
        }
        List<Path> cgroups;
        try (Stream<Path> walk = Files.walk(base)) {
            cgroups = new ArrayList<>(walk.filter(Files::isDirectory).toList());
        }
        Path rootProcs = base.getParent().resolve("cgroup.procs");
        for (Path cgroup : cgroups.reversed()) {
            for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                try {
                    Files.writeString(rootProcs, pid);
                } catch (IOException exited) {
                    // gone meanwhile
                }
            }
            Files.delete(cgroup);
        }
    }

    private ExporterOptions options(String... names) {
        return new ExporterOptions(dir, List.of(names), ListenAddress.parse("127.0.0.1:0"), true);
    }

    @Test
    void hashMapHoldsTheMatchingCgroupsAndFollowsThemAsTheyComeAndGo() throws Exception {
        install(dir, "export_cgroup_hash");
        countsOnlyTheMatchingCgroups("export_cgroup_hash", "exec_cgroups", "count_cgroup_exec", "ebpf_exporter_cgroup_execs_total",
                "ebpf_exporter_other_cgroup_execs_total");
        awaitUnloaded("count_cgroup_exec");
    }

    @Test
    @Requires(Feature.CGRP_STORAGE)
    void cgrpStorageMapMarksTheMatchingCgroupsAndFollowsThemAsTheyComeAndGo() throws Exception {
        install(dir, "export_cgroup_storage");
        countsOnlyTheMatchingCgroups("export_cgroup_storage", "exec_cgroup_marks", "count_storage_exec",
                "ebpf_exporter_storage_cgroup_execs_total", "ebpf_exporter_storage_other_cgroup_execs_total");
        awaitUnloaded("count_storage_exec");
    }

    private void countsOnlyTheMatchingCgroups(String config, String mapName, String program, String matched, String others)
            throws Exception {
        Path match1 = Files.createDirectory(base.resolve("match1"));
        Path other = Files.createDirectory(base.resolve("other"));
        String idLabels = "config=\"" + config + "\",map=\"" + mapName + "\"";
        try (Exporter exporter = Exporter.start(options(config))) {
            Scrape started = Scrape.of(exporter.port());
            try (BpfMap map = mapOf(started, config, program, mapName)) {
                // filled at start, before the program attached
                assertTrue(inMap(map, match1), mapName + " lacks " + match1);
                assertFalse(inMap(map, other), mapName + " has " + other);

                execsIn(match1, 3);
                execsIn(other, 2);
                Scrape first = Scrape.of(exporter.port());
                assertEquals(3, first.required(Scrape.series(matched, "cgroup", match1.toString())));
                assertEquals(2, first.required(Scrape.series(others, "cgroup", other.toString())));
                assertFalse(first.values().containsKey(Scrape.series(others, "cgroup", match1.toString())), first.text());
                assertFalse(first.values().containsKey(Scrape.series(matched, "cgroup", other.toString())), first.text());
                assertEquals(0, first.required("jbpf_exporter_cgroup_id_map_errors_total{" + idLabels + "}"));
                double cgroupsBefore = first.required("jbpf_exporter_cgroup_id_map_cgroups{" + idLabels + "}");
                assertTrue(cgroupsBefore >= 1, first.text());

                // made after the start: picked up (inotify), the non-matching one left out
                Path other2 = Files.createDirectory(base.resolve("other2"));
                Path match2 = Files.createDirectory(base.resolve("match2"));
                long made = System.nanoTime();
                awaitTrue(() -> inMap(map, match2), match2 + " was not put in " + mapName);
                System.out.printf("cgroup_id_map %s: %s in the map %d ms after mkdir%n", mapName, match2,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - made));
                assertFalse(inMap(map, other2), mapName + " has " + other2);
                execsIn(match2, 4);
                execsIn(other2, 1);
                Scrape second = Scrape.of(exporter.port());
                assertEquals(4, second.required(Scrape.series(matched, "cgroup", match2.toString())));
                assertEquals(1, second.required(Scrape.series(others, "cgroup", other2.toString())));
                assertEquals(3, second.required(Scrape.series(matched, "cgroup", match1.toString())));
                assertFalse(second.values().containsKey(Scrape.series(others, "cgroup", match2.toString())), second.text());
                assertEquals(cgroupsBefore + 1, second.required("jbpf_exporter_cgroup_id_map_cgroups{" + idLabels + "}"));

                // removed: dropped (hash: its key deleted; cgrp_storage: the kernel frees it, the exporter forgets it)
                long match2Id = inode(match2);
                Files.delete(match2);
                awaitTrue(() -> Scrape.of(exporter.port()).value("jbpf_exporter_cgroup_id_map_cgroups{" + idLabels + "}")
                        == cgroupsBefore, match2 + " was not dropped from " + mapName);
                if (map.type() == dev.jbpf.map.MapType.HASH) {
                    assertEquals(Optional.empty(), map.lookup(u64(match2Id)), "the removed cgroup's key is still there");
                }
                assertTrue(inMap(map, match1), "a removal took " + match1 + " along");
                Scrape last = Scrape.of(exporter.port());
                assertEquals(0, last.required("jbpf_exporter_cgroup_id_map_errors_total{" + idLabels + "}"));
                assertTrue(last.required("jbpf_exporter_cgroup_id_map_scans_total{" + idLabels + "}") >= 3, last.text());
            }
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("jbpf-export-cgroups-" + config)),
                "the closed exporter left its cgroup thread");
    }

    @Test
    void reloadKeepsTheUnchangedConfigsKeeperAndReplacesTheChangedOnes() throws Exception {
        install(dir, "export_cgroup_hash");
        Path yaml = dir.resolve("export_cgroup_hash.yaml");
        Path match1 = Files.createDirectory(base.resolve("match1"));
        Path only = Files.createDirectory(base.resolve("only"));
        try (Exporter exporter = Exporter.start(options("export_cgroup_hash"))) {
            assertEquals(1, keepers("export_cgroup_hash"));
            assertEquals(List.of("export_cgroup_hash"), exporter.reload().unchanged());
            assertEquals(1, keepers("export_cgroup_hash"));

            // changed: now the cgroups named only* match; the new object's map has only/, not match1/
            Files.writeString(yaml, Files.readString(yaml).replace("/match[^/]*$", "/only[^/]*$"));
            assertEquals(List.of("export_cgroup_hash"), exporter.reload().changed());
            assertEquals(1, keepers("export_cgroup_hash"), "the old config's keeper is stopped");
            execsIn(match1, 1);
            execsIn(only, 2);
            Scrape scrape = Scrape.of(exporter.port());
            assertEquals(2, scrape.required(Scrape.series("ebpf_exporter_cgroup_execs_total", "cgroup", only.toString())));
            assertEquals(1, scrape.required(Scrape.series("ebpf_exporter_other_cgroup_execs_total", "cgroup", match1.toString())));
        }
        assertEquals(0, keepers("export_cgroup_hash"));
    }

    @Test
    void aMapTheObjectLacksOrOfTheWrongTypeIsRefusedWithItsLine() throws Exception {
        install(dir, "export_cgroup_hash");
        Path yaml = dir.resolve("export_cgroup_hash.yaml");
        String good = Files.readString(yaml);
        int nameLine = lineOf(good, "  name: exec_cgroups");
        int typeLine = lineOf(good, "  type: hash");
        long before = programsNamed(Set.of("count_cgroup_exec"));

        Files.writeString(yaml, good.replace("  name: exec_cgroups", "  name: exec_groups"));
        ConfigException missing = assertThrows(ConfigException.class, () -> Exporter.start(options("export_cgroup_hash")));
        assertEquals(yaml + ":" + nameLine + ": export_cgroup_hash.bpf.o has no map 'exec_groups' (its maps: exec_cgroups,"
                + " cgroup_execs_total, other_cgroup_execs_total); name the map the programs look cgroups up in", missing.getMessage());

        Files.writeString(yaml, good.replace("  type: hash", "  type: cgrp_storage"));
        ConfigException wrongType = assertThrows(ConfigException.class, () -> Exporter.start(options("export_cgroup_hash")));
        assertEquals(yaml + ":" + typeLine + ": map 'exec_cgroups' of cgroup_id_map is a hash map; type cgrp_storage needs a"
                + " BPF_MAP_TYPE_CGRP_STORAGE map (or say type: hash for a hash map)", wrongType.getMessage());
        assertEquals(before, programsNamed(Set.of("count_cgroup_exec")), "a refused config left its program loaded");

        // a cgrp_storage map named with type hash (the object is only opened: no cgrp_storage support needed)
        install(dir, "export_cgroup_storage");
        Path storageYaml = dir.resolve("export_cgroup_storage.yaml");
        String storage = Files.readString(storageYaml);
        Files.writeString(storageYaml, storage.replace("  type: cgrp_storage", "  type: hash"));
        ConfigException storageAsHash = assertThrows(ConfigException.class, () -> Exporter.start(options("export_cgroup_storage")));
        assertEquals(storageYaml + ":" + lineOf(storage, "  type: cgrp_storage") + ": map 'exec_cgroup_marks' of cgroup_id_map"
                + " is a cgrp_storage map, but the type is hash; say type: cgrp_storage", storageAsHash.getMessage());
    }

    // ---- helpers

    /** The 1-based line of {@code text} that equals {@code line}. */
    private static int lineOf(String text, String line) {
        List<String> lines = text.lines().toList();
        int index = lines.indexOf(line);
        assertTrue(index >= 0, line + " is not in the config");
        return index + 1;
    }

    /** Threads keeping a config's cgroup_id_map. */
    private static long keepers(String config) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals("jbpf-export-cgroups-" + config))
                .count();
    }

    /**
     * Starts {@code sh -c 'read x; /bin/true; ...'} (its exec done when start returns), moves it
     * into {@code cgroup}, then lets it run {@code /bin/true} {@code times} times: that many execs
     * in the cgroup, and nothing else runs there.
     */
    private static void execsIn(Path cgroup, int times) throws IOException, InterruptedException {
        Process shell = new ProcessBuilder("/bin/sh", "-c", "read x; " + "/bin/true; ".repeat(times) + "exit 0")
                .redirectErrorStream(true).start();
        try {
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(shell.pid()));
            try (OutputStream in = shell.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(shell.waitFor(10, TimeUnit.SECONDS), "the shell in " + cgroup + " did not finish");
            assertEquals(0, shell.exitValue(), new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            shell.destroyForcibly();
        }
    }

    /** The config's cgroup_id_map in the kernel, found through its program's map ids (scraped program id). */
    private static BpfMap mapOf(Scrape scrape, String config, String program, String mapName) {
        int programId = Integer.parseInt(programId(scrape, config, program));
        for (int mapId : ProgramInfo.ofId(programId).mapIds()) {
            if (MapInfo.ofId(mapId).name().equals(mapName.substring(0, Math.min(15, mapName.length())))) {
                return BpfMap.openById(mapId);
            }
        }
        throw new AssertionError("program " + program + " uses no map " + mapName);
    }

    /** Whether the exporter put the cgroup in the map: hash, its id is a key; cgrp_storage, its storage holds 1. */
    private static boolean inMap(BpfMap map, Path cgroup) {
        if (map.type() == dev.jbpf.map.MapType.HASH) {
            try {
                return map.lookup(u64(inode(cgroup))).isPresent();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        int opened = LibC.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        assertTrue(opened >= 0, "cannot open " + cgroup);
        try (Fd fd = Fd.adopt(opened)) {
            Optional<byte[]> value = map.lookup(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(fd.value()).array());
            return value.isPresent() && ByteBuffer.wrap(value.get()).order(ByteOrder.nativeOrder()).getLong() == 1;
        }
    }

    private static long inode(Path cgroup) throws IOException {
        return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
    }

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array();
    }

    /**
     * The closed exporter's program leaves the kernel: at once for a tracepoint program; a tp_btf
     * program once an RCU grace period after its link was released (tens of ms).
     */
    private static void awaitUnloaded(String program) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (programsNamed(Set.of(program)) > 0) {
            assertTrue(System.nanoTime() < deadline, "the closed exporter left its program " + program);
            Thread.sleep(10);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + PICKUP_NANOS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure + " within " + TimeUnit.NANOSECONDS.toMillis(PICKUP_NANOS) + " ms");
            Thread.sleep(10);
        }
    }
}
