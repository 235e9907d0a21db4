package dev.jbpf.cli;

import dev.jbpf.testing.Figures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bin/jbpf run as a user would without what BPF needs: capabilities dropped with setpriv
 * (root stays uid 0 but loses them, as in an unprivileged container), bpffs or tracefs
 * unmounted in a private mount namespace (unshare -m: the host's mounts are untouched), a
 * tiny RLIMIT_MEMLOCK. Each refusal is one line naming what is missing and how to grant it;
 * the controls show the least privilege that works does work.
 */
@KernelTest
class PrivilegesTest {
    private static final Figures FIGURES = new Figures("privileges", "Privileges");

    /** setpriv dropping every capability but the named ones (e.g. "+bpf,+perfmon"), for jbpf and its children. */
    private static List<String> keepOnly(String capabilities) {
        return List.of("setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all" + capabilities, "--");
    }

    /** A private mount namespace where the given mount points are unmounted (exit 99 if one stays). */
    private static List<String> without(String... mountPoints) {
        StringBuilder script = new StringBuilder();
        for (String point : mountPoints) {
            script.append("while umount ").append(point).append(" 2>/dev/null; do :; done; ");
            script.append("grep -q ' ").append(point).append(" ' /proc/self/mounts && exit 99; ");
        }
        script.append("exec \"$@\"");
        return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString(), "sh");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** One situation: the command's prefix, jbpf's arguments, and the fragments its one error line must hold (none: it works). */
    record Case(String name, List<String> prefix, List<String> args, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        String maps = TestSupport.bpfObject("maps").toString();
        String pin = "/sys/fs/bpf/jbpf-test-privileges-" + ProcessHandle.current().pid();
        List<String> bpfOnly = keepOnly(",+bpf");
        List<String> bpfPerfmon = keepOnly(",+bpf,+perfmon");
        return Stream.of(
                new Case("no capabilities: load", keepOnly(""), List.of("load", maps),
                        List.of("EPERM", "needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)", "setcap", "--cap-add")),
                new Case("no capabilities: map list", keepOnly(""), List.of("map", "list"),
                        List.of("EPERM", "needs CAP_SYS_ADMIN", "pinned PATH")),
                new Case("CAP_BPF without CAP_PERFMON: load a tracing program", bpfOnly, List.of("load", maps),
                        List.of("EPERM", "needs CAP_PERFMON besides CAP_BPF", "--cap-add PERFMON")),
                new Case("CAP_BPF without CAP_PERFMON: attach", bpfOnly, List.of("attach", maps, "--duration", "0.2"),
                        List.of("EPERM", "needs CAP_PERFMON besides CAP_BPF")),
                new Case("CAP_BPF and CAP_PERFMON: attach works", bpfPerfmon, List.of("attach", maps, "--duration", "0.2"),
                        List.of()),
                new Case("CAP_BPF and CAP_PERFMON: map list needs CAP_SYS_ADMIN", bpfPerfmon, List.of("map", "list"),
                        List.of("EPERM", "needs CAP_SYS_ADMIN", "pinned PATH")),
                new Case("CAP_BPF and CAP_PERFMON: prog show by id needs CAP_SYS_ADMIN", bpfPerfmon,
                        List.of("prog", "show", "id", "1"), List.of("EPERM", "needs CAP_SYS_ADMIN")),
                new Case("bpffs not mounted, root: jbpf mounts it and pins", without("/sys/fs/bpf"),
                        List.of("load", maps, "--pin", pin), List.of()),
                new Case("bpffs not mounted, no CAP_SYS_ADMIN to mount it", concat(without("/sys/fs/bpf"), bpfPerfmon),
                        List.of("load", maps, "--pin", pin),
                        List.of("bpffs is not mounted", "needs CAP_SYS_ADMIN", "mount -t bpf bpf /sys/fs/bpf")),
                new Case("tracefs not mounted: tracepoint", without("/sys/kernel/tracing", "/sys/kernel/debug"),
                        List.of("attach", maps, "count_getppid", "--duration", "0.2"),
                        List.of("ENOENT", "tracefs is not mounted", "mount -t tracefs", "raw_tp/NAME")),
                new Case("tracefs not mounted: a raw tracepoint needs none", without("/sys/kernel/tracing", "/sys/kernel/debug"),
                        List.of("attach", maps, "count_sys_enter", "--duration", "0.2"), List.of()),
                memlockCase(maps));
    }

    /**
     * RLIMIT_MEMLOCK of 0, and no CAP_SYS_RESOURCE to raise it again (libbpf raises it when it
     * can): where the kernel charges BPF memory to it (before 5.11, decided by the
     * MEMCG_ACCOUNTING probe) jbpf must fail saying so; where it charges the memory cgroup (this
     * one) jbpf must just work. MemlockCliTest runs it in every kernel of the VM matrix.
     */
    static Case memlockCase(String maps) {
        List<String> prefix = List.of("setpriv", "--inh-caps=-sys_resource", "--ambient-caps=-all",
                "--bounding-set=-sys_resource", "--", "prlimit", "--memlock=0:0");
        String release = System.getProperty("os.version");
        dev.jbpf.features.FacilitySupport memcg = dev.jbpf.features.KernelFeatures.facility(
                dev.jbpf.features.Facility.MEMCG_ACCOUNTING);
        System.out.println("PrivilegesTest: kernel " + release + ": " + memcg.detail() + (memcg.available()
                ? ": the memlock case checks that jbpf works with RLIMIT_MEMLOCK 0"
                : ": the memlock case checks that jbpf fails saying so"));
        return new Case("RLIMIT_MEMLOCK 0 on kernel " + release, prefix, List.of("attach", maps, "--duration", "0.2"),
                memcg.available() ? List.of() : List.of("EPERM", "RLIMIT_MEMLOCK", "ulimit -l unlimited"));
    }

    /** Runs jbpf in the situation and checks its outcome: one error line with the fragments, or success. */
    static void assertOutcome(Case situation) throws Exception {
        Jbpf.Result result = Jbpf.runProcess(situation.prefix(), situation.args().toArray(String[]::new));
        assertTrue(result.exitCode() != 99, () -> "the mount namespace kept the mount:\n" + result);
        if (situation.fragments().isEmpty()) {
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.err().isBlank(), result::toString);
        } else {
            BadInputTest.assertOneLineFailure(result, situation.fragments().toArray(String[]::new));
        }
    }

    @BeforeAll
    static void needsRootAndTools() {
        for (String tool : List.of("setpriv", "unshare", "prlimit")) {
            boolean found = Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            if (!found) {
                System.out.println("SKIPPED PrivilegesTest: " + tool + " (util-linux) is not installed");
            }
            assumeTrue(found, tool + " (util-linux) is not installed");
        }
    }

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    /** The check of RELIABILITY.md's table a situation counts in. */
    private static String check(Case situation) {
        String name = situation.name();
        if (name.startsWith("bpffs")) {
            return "bpffs not mounted (unshare -m, umount)";
        }
        if (name.startsWith("tracefs")) {
            return "tracefs not mounted (unshare -m, umount)";
        }
        if (name.startsWith("RLIMIT_MEMLOCK")) {
            return "RLIMIT_MEMLOCK 0 (prlimit), kernel " + System.getProperty("os.version");
        }
        return "capabilities dropped (setpriv): load, attach, map list, prog show";
    }

    private static String outcome(Case situation) {
        if (situation.name().startsWith("RLIMIT_MEMLOCK") && situation.fragments().isEmpty()) {
            return "as expected: jbpf works (from 5.11 on the kernel charges the memory cgroup, not RLIMIT_MEMLOCK)";
        }
        return "as expected: one-line error naming what is missing and how to grant it, or (controls) success";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineSayingWhatIsMissing(Case situation) throws Exception {
        FIGURES.check(check(situation), outcome(situation), () -> assertOutcome(situation));
        // a pin made inside the private namespace's own bpffs is gone with it; on the host nothing is pinned
        assertTrue(Files.notExists(Path.of("/sys/fs/bpf/jbpf-test-privileges-" + ProcessHandle.current().pid())));
    }
}
