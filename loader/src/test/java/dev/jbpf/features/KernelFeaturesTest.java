package dev.jbpf.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.link.Tc;
import dev.jbpf.map.MapType;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.perf.PerfEventUnavailableException;
import dev.jbpf.program.ProgramType;
import dev.jbpf.testing.KernelTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The probes against the running kernel. What the kernel should have is decided here from
 * other evidence than the probes use (its release, /proc/kallsyms, tracefs), never written in.
 */
@KernelTest
class KernelFeaturesTest {
    /** The running kernel's major.minor, e.g. {6, 18}. */
    private static int[] release() throws IOException {
        String[] parts;
        try (java.io.BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/kernel/osrelease"))) {
            parts = reader.readLine().split("[.-]");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    private static boolean atLeast(int major, int minor) throws IOException {
        int[] release = release();
        return release[0] > major || (release[0] == major && release[1] >= minor);
    }

    /** The code of kprobe events (kernel/trace/trace_kprobe.c) is in the kernel when kallsyms names it. */
    private static boolean kallsymsHasKprobeEvents() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.map(line -> line.split("\\s+"))
                    .anyMatch(f -> f.length >= 3 && (f[2].equals("create_local_trace_kprobe") || f[2].equals("trace_kprobe_create")));
        }
    }

    /** Which of {@code names} /proc/kallsyms lists (the kernel's own code, compiled in or not). */
    private static Set<String> kallsyms(String... names) throws IOException {
        Set<String> wanted = Set.of(names);
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.map(line -> line.split("\\s+")).filter(f -> f.length >= 3 && wanted.contains(f[2]))
                    .map(f -> f[2]).collect(Collectors.toSet());
        }
    }

    private static boolean inKallsyms(String name) throws IOException {
        return kallsyms(name).contains(name);
    }

    /** Whether vmlinux BTF describes the function (what a trampoline needs of its target). */
    private static boolean inBtf(String function) {
        MemorySegment btf = LibBpf.btf__load_vmlinux_btf();
        if (btf.equals(MemorySegment.NULL)) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            return LibBpf.btf__find_by_name_kind(btf, arena.allocateFrom(function), BpfConstants.BTF_KIND_FUNC) > 0;
        } finally {
            LibBpf.btf__free(btf);
        }
    }

    /** A sysctl in one read: Files.readString reads a byte first, and procfs answers the read after it with nothing. */
    private static long sysctl(String path) throws IOException {
        try (java.io.BufferedReader reader = Files.newBufferedReader(Path.of(path))) {
            return Long.parseLong(reader.readLine());
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void ringBufferMapsAndBpfLoopAreWhatTheReleasePromises() throws IOException {
        // ring buffers came in 5.8, bpf_loop in 5.17
        assertEquals(atLeast(5, 8), KernelFeatures.has(Facility.RING_BUFFER), KernelFeatures.facility(Facility.RING_BUFFER)::toString);
        assertEquals(atLeast(5, 8), KernelFeatures.hasMapType(MapType.RINGBUF));
        assertEquals(atLeast(5, 17), KernelFeatures.has(Facility.BPF_LOOP), KernelFeatures.facility(Facility.BPF_LOOP)::toString);
        assertEquals(atLeast(5, 17), KernelFeatures.hasHelper(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER, "bpf_loop"));
    }

    @Test
    void kprobesAreThereExactlyWhenTheKernelHasKprobeEvents() throws IOException {
        boolean expected = kallsymsHasKprobeEvents();
        FacilitySupport kprobes = KernelFeatures.facility(Facility.KPROBES);
        assertEquals(expected, kprobes.available(), kprobes::toString);
        if (Files.isDirectory(Path.of("/sys/kernel/tracing/events"))) { // tracefs mounted: it agrees
            assertEquals(expected, Files.exists(Path.of("/sys/kernel/tracing/kprobe_events")), kprobes::toString);
        }
        assertFalse(kprobes.detail().isBlank());
    }

    @Test
    void syscallBtfAndTheInstructionSetOfAModernKernel() throws IOException {
        assertTrue(KernelFeatures.has(Facility.BPF_SYSCALL), KernelFeatures.facility(Facility.BPF_SYSCALL)::toString);
        assertEquals(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")), KernelFeatures.has(Facility.VMLINUX_BTF));
        // JMP32 came in 5.1, bounded loops and the million-instruction limit in 5.3
        assertEquals(atLeast(5, 1), KernelFeatures.has(Facility.V3_ISA_EXTENSION));
        assertEquals(atLeast(5, 3), KernelFeatures.has(Facility.BOUNDED_LOOPS));
        assertEquals(atLeast(5, 3), KernelFeatures.has(Facility.LARGE_INSN_LIMIT),
                KernelFeatures.facility(Facility.LARGE_INSN_LIMIT)::toString);
        assertTrue(KernelFeatures.has(Facility.V2_ISA_EXTENSION));
        // BPF_TOKEN_CREATE came in 6.9, uprobe_multi links in 6.6 (process filtering fixed in 6.9)
        assertEquals(atLeast(6, 9), KernelFeatures.has(Facility.BPF_TOKEN), KernelFeatures.facility(Facility.BPF_TOKEN)::toString);
        assertEquals(atLeast(6, 9), KernelFeatures.has(Facility.UPROBE_MULTI),
                KernelFeatures.facility(Facility.UPROBE_MULTI)::toString);
    }

    @Test
    void fentryAgreesWithTheTracingProgramType() {
        FacilitySupport fentry = KernelFeatures.facility(Facility.FENTRY);
        // libbpf probes the tracing type with an fentry load too: a kernel that refuses one refuses the other
        if (!KernelFeatures.hasProgramType(ProgramType.TRACING)) {
            assertFalse(fentry.available(), fentry::toString);
        }
        assertTrue(fentry.detail().contains(AttachProbes.TRACED_FUNCTION), fentry::toString);
    }

    /**
     * kretprobes: a kernel with kprobe events (its trace_kprobe code), kretprobes (kernel/kprobes.c's
     * register_kretprobe) and the perf kprobe PMU makes one; without them the answer says why.
     */
    @Test
    void kretprobesAreThereExactlyWhenTheKernelHasKprobeEventsAndKretprobes() throws IOException {
        boolean pmu = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type"));
        boolean expected = kallsymsHasKprobeEvents() && inKallsyms("register_kretprobe") && pmu
                && inKallsyms(AttachProbes.TRACED_FUNCTION);
        FacilitySupport kretprobes = KernelFeatures.facility(Facility.KRETPROBES);
        assertEquals(expected, kretprobes.available(), kretprobes::toString);
        assertTrue(!kretprobes.available() || KernelFeatures.has(Facility.KPROBES), "kretprobes come with kprobes");
        if (!pmu) {
            assertTrue(kretprobes.detail().startsWith("no perf kprobe PMU"), kretprobes::toString);
        }
    }

    /** kprobe_multi links are made by fprobe (CONFIG_FPROBE: register_fprobe) on kernels from 5.18. */
    @Test
    void kprobeMultiLinksAreThereExactlyWhenTheKernelHasFprobe() throws IOException {
        boolean fprobe = inKallsyms("register_fprobe");
        boolean expected = fprobe && atLeast(5, 18) && KernelFeatures.hasProgramType(ProgramType.KPROBE)
                && inKallsyms(AttachProbes.TRACED_FUNCTION);
        FacilitySupport multi = KernelFeatures.facility(Facility.KPROBE_MULTI);
        assertEquals(expected, multi.available(), multi::toString);
        if (!fprobe && atLeast(5, 18) && KernelFeatures.hasProgramType(ProgramType.KPROBE)) {
            assertTrue(multi.detail().endsWith("EOPNOTSUPP (Operation not supported): the kernel has no fprobe (CONFIG_FPROBE off)"),
                    multi::toString);
        }
    }

    /**
     * fmod_ret rides on trampolines and needs a function the kernel allows it on: with fentry
     * and bpf_modify_return_test in BTF it attaches; without trampolines it cannot.
     */
    @Test
    void fmodRetNeedsTrampolinesAndTheKernelsTestFunction() {
        FacilitySupport fmodRet = KernelFeatures.facility(Facility.FMOD_RET);
        boolean target = inBtf(AttachProbes.MODIFY_RETURN_FUNCTION);
        if (KernelFeatures.has(Facility.FENTRY) && target) {
            assertTrue(fmodRet.available(), fmodRet::toString);
        }
        if (!KernelFeatures.has(Facility.FENTRY)) {
            assertFalse(fmodRet.available(), fmodRet::toString);
        }
        assertTrue(fmodRet.detail().contains(AttachProbes.MODIFY_RETURN_FUNCTION), fmodRet::toString);
    }

    /** LSM programs attach through trampolines too, and run only where "bpf" is an active LSM. */
    @Test
    void lsmProgramsNeedTrampolinesAndTheBpfLsm() throws IOException {
        FacilitySupport lsm = KernelFeatures.facility(Facility.LSM);
        Path active = Path.of("/sys/kernel/security/lsm");
        boolean listed = Files.isReadable(active) && List.of(Files.readString(active).strip().split(",")).contains("bpf");
        if (!KernelFeatures.has(Facility.FENTRY) || !inKallsyms("bpf_lsm_file_open")
                || (Files.isReadable(active) && !listed)) {
            assertFalse(lsm.available(), lsm::toString);
        }
        if (KernelFeatures.has(Facility.FENTRY) && inKallsyms("bpf_lsm_file_open") && listed) {
            assertTrue(lsm.available(), lsm::toString);
        }
    }

    /**
     * uprobes: the perf uprobe PMU and the kernel's uprobe code (uprobe_register) make one; the
     * probe's scratch file is gone after it.
     */
    @Test
    void uprobesAreThereExactlyWhenTheKernelHasTheUprobePmu() throws IOException {
        boolean expected = Files.exists(Path.of("/sys/bus/event_source/devices/uprobe/type")) && inKallsyms("uprobe_register");
        FacilitySupport uprobes = KernelFeatures.facility(Facility.UPROBES);
        assertEquals(expected, uprobes.available(), uprobes::toString);
        if (expected) {
            assertEquals("a kprobe program attached to a uprobe on a scratch file through the perf uprobe PMU", uprobes.detail());
        }
        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("jbpf-uprobe-probe-")).toList());
        }
    }

    /** tcx: kernel/bpf/tcx.c is in the kernel exactly when the library's own query (Tc.kernelHasTcx) finds tcx. */
    @Test
    void tcxIsThereExactlyWhenTheKernelHasTcxLinks() throws IOException {
        FacilitySupport tcx = KernelFeatures.facility(Facility.TCX);
        assertEquals(inKallsyms("tcx_link_attach"), tcx.available(), tcx::toString);
        assertEquals(Tc.kernelHasTcx(), tcx.available(), tcx::toString);
        if (tcx.available()) {
            assertTrue(tcx.detail().contains("ENODEV"), tcx::toString);
        }
    }

    /** Hardware events: the probe agrees with the library's PerfEvent, which opens them its own way. */
    @Test
    void hardwarePerfEventsAgreeWithPerfEvent() {
        boolean opened;
        try (PerfEvent event = PerfEvent.builder(PerfEventType.hardware(HardwareEvent.INSTRUCTIONS)).pid(0).open()) {
            opened = true;
        } catch (PerfEventUnavailableException e) {
            opened = false;
        }
        FacilitySupport hardware = KernelFeatures.facility(Facility.HARDWARE_PERF_EVENTS);
        assertEquals(opened, hardware.available(), hardware::toString);
        if (!opened) {
            assertTrue(hardware.detail().endsWith("this machine has no CPU PMU the kernel counts with (a VM without a virtual PMU?)"),
                    hardware::toString);
        }
    }

    @Test
    void typesAndHelpersCarryLibbpfsAndTheKernelsNames() {
        List<ProgramTypeSupport> programs = KernelFeatures.programTypes();
        assertEquals(new ProgramTypeSupport(1, "socket_filter", true), programs.get(0));
        assertTrue(programs.size() >= 32, programs::toString); // libbpf 1.4 names up to netfilter
        assertEquals("xdp", KernelFeatures.programType(BpfConstants.BPF_PROG_TYPE_XDP).name());
        assertEquals(new MapTypeSupport(1, "hash", true), KernelFeatures.mapTypes().get(0));
        ProgramTypeSupport unknown = KernelFeatures.programType(9999);
        assertEquals(new ProgramTypeSupport(9999, "9999", false), unknown);

        List<Helper> socketFilter = KernelFeatures.helpers(BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER);
        assertEquals(new Helper(1, "bpf_map_lookup_elem"), socketFilter.get(0));
        assertTrue(socketFilter.stream().noneMatch(h -> h.name().equals("bpf_trace_printk")), "left out, as bpftool does");
        // a helper of networking programs only: a socket filter may not redirect packets
        assertTrue(socketFilter.stream().noneMatch(h -> h.name().equals("bpf_redirect")), socketFilter::toString);
        assertTrue(KernelFeatures.helpers(BpfConstants.BPF_PROG_TYPE_XDP).stream().anyMatch(h -> h.name().equals("bpf_redirect")));
    }

    @Test
    void eachProbeRunsOnceAndKeepsNoFd() throws Exception {
        long before = openFds();
        int xdp = BpfConstants.BPF_PROG_TYPE_XDP;
        CompletableFuture<List<Helper>> other = CompletableFuture.supplyAsync(() -> KernelFeatures.helpers(xdp));
        List<Helper> mine = KernelFeatures.helpers(xdp);
        assertSame(mine, other.get(), "two threads asking at once share one probe and its answer");
        for (Facility facility : Facility.values()) {
            assertSame(KernelFeatures.facility(facility), KernelFeatures.facility(facility));
        }
        assertSame(KernelFeatures.programType(1), KernelFeatures.programType(1));
        KernelFeatures.mapTypes();
        KernelFeatures.systemConfig();
        assertEquals(before, openFds(), "every fd a probe opened is closed");
    }

    @Test
    void systemConfigReadsTheSysctls() throws IOException {
        SystemConfig config = KernelFeatures.systemConfig();
        assertEquals(sysctl("/proc/sys/kernel/unprivileged_bpf_disabled"), config.unprivilegedBpfDisabled());
        assertEquals(sysctl("/proc/sys/net/core/bpf_jit_limit"), config.jitLimit());
        assertEquals(SystemProbes.OPTIONS.size(), config.kernelConfig().size());
        if (config.configFile() != null) { // a kernel that says what it was built with says it has bpf(2)
            assertEquals(new ConfigOption("CONFIG_BPF_SYSCALL", "y"), config.kernelConfig().get(1));
        }
    }
}
