package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.Usdt;
import dev.jbpf.map.Codec;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.TraceTarget;
import dev.jbpf.testing.TracingSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process in another mount namespace, as in a container: its binary is at a path that leads
 * nowhere outside (a tmpfs mounted in its namespace only), yet its probes are listed through
 * /proc/PID/root, and the name the listing gives attaches a USDT probe to it.
 */
@KernelTest(root = true)
@Requires(Feature.UPROBES)
class ProcessMapsNamespaceTest {
    private static final int ITERATIONS = 4;

    @TempDir
    Path dir;

    @Test
    void aProcessInAnotherMountNamespaceIsListedAndProbedThroughItsRoot() {
        Path hidden = dir.resolve("ns");
        Path inside = hidden.resolve("trace_target");
        try (TraceTarget target = TraceTarget.startInOwnMountNamespace(hidden, ITERATIONS);
             LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("usdt")).load()) {
            assertFalse(Files.exists(inside), "the copy is only in the process's mount namespace");
            List<UsdtProbes.InFile> found = UsdtProbes.ofProcess(target.pid());
            UsdtProbes.InFile in = found.stream().filter(file -> file.file().path().equals(inside)).findFirst()
                    .orElseThrow(() -> new AssertionError(inside + " not among " + found));
            assertFalse(in.file().sameRoot());
            Path viaRoot = Path.of("/proc", Integer.toString(target.pid()), "root").resolve(inside.toString().substring(1));
            assertEquals(viaRoot, in.file().file());
            assertEquals(viaRoot, in.file().localPath(), "the name that reaches it from here");
            assertEquals(UsdtProbes.read(TracingSupport.traceTargetBinary()), in.probes());

            try (BpfLink link = loaded.program("count_tick").attach(
                    Usdt.of(in.file().localPath(), "jbpf", "tick").withPid(target.pid()).withCookie(1))) {
                target.run();
                Map<Long, Long> hits = loaded.map("tick_hits").typed(Codec.LONG, Codec.LONG).toMap();
                assertEquals(Map.of(1L << 32 | target.pid(), (long) ITERATIONS), hits);
            }
        }
    }
}
