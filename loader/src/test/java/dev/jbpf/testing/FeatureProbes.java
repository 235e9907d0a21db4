package dev.jbpf.testing;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_load_opts;
import dev.jbpf.features.Facility;
import dev.jbpf.features.KernelFeatures;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.link.Tc;
import dev.jbpf.testing.TracingSupport;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.PerfEvent;
import dev.jbpf.perf.PerfEventType;
import dev.jbpf.perf.PerfEventUnavailableException;
import dev.jbpf.testing.Feature.Support;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The probes of the features {@code dev.jbpf.features} does not probe (yet): each decides as
 * the tests decided before they had annotations, or, where the tests only caught a failed
 * load, by loading a two-instruction program the way {@code KernelFeatures} probes fentry.
 */
final class FeatureProbes {
    private static final Path KPROBE_PMU = Path.of("/sys/bus/event_source/devices/kprobe");
    private static final Path UPROBE_PMU = Path.of("/sys/bus/event_source/devices/uprobe");
    private static final Path ACTIVE_LSMS = Path.of("/sys/kernel/security/lsm");

    private FeatureProbes() {
    }

    static Support facility(Facility facility) {
        return Support.of(KernelFeatures.facility(facility));
    }

    /** The kprobe PMU makes a kretprobe with its retprobe format bit; legacy kprobe_events take "r:" lines. */
    static Support kretprobes() {
        Support kprobes = facility(Facility.KPROBES);
        if (!kprobes.available()) {
            return kprobes;
        }
        Path retprobe = KPROBE_PMU.resolve("format/retprobe");
        if (Files.isDirectory(KPROBE_PMU) && !Files.exists(retprobe)) {
            return new Support(false, "the perf kprobe PMU has no " + retprobe + " (no kretprobes)");
        }
        return new Support(true, kprobes.detail() + (Files.exists(retprobe) ? ", with " + retprobe : ""));
    }

    /** kprobe.multi links are made by fprobe (CONFIG_FPROBE): its register_fprobe is in kallsyms. */
    static Support kprobeMulti() {
        return TracingSupport.kernelHasSymbol("register_fprobe")
                ? new Support(true, "register_fprobe is in /proc/kallsyms (CONFIG_FPROBE)")
                : new Support(false, "no register_fprobe in /proc/kallsyms: CONFIG_FPROBE is off, so no kprobe.multi links");
    }

    /**
     * A tracing program of attach type BPF_MODIFY_RETURN for __x64_sys_getppid: the verifier
     * takes it only for functions on the error-injection list (and security_ hooks).
     */
    static Support fmodRet() {
        Support load = loadTracing(BpfConstants.BPF_PROG_TYPE_TRACING, BpfConstants.BPF_MODIFY_RETURN, "__x64_sys_getppid",
                "an fmod_ret program for __x64_sys_getppid", false);
        return load.available() ? load : new Support(false, load.detail()
                + " (fmod_ret takes only functions on the error-injection list, through trampolines)");
    }

    /**
     * The BPF LSM: "bpf" among the active LSMs when securityfs says (otherwise its hooks never
     * run, even with a program attached), and an LSM program for file_open that loads and attaches.
     */
    static Support lsm() {
        String active = null;
        if (Files.isReadable(ACTIVE_LSMS)) {
            try {
                active = Files.readString(ACTIVE_LSMS).strip();
            } catch (IOException e) {
                active = null;
            }
        }
        if (active != null && !List.of(active.split(",")).contains("bpf")) {
            return new Support(false, "the BPF LSM is not active: " + ACTIVE_LSMS + " lists " + active + " (\"bpf\" missing from lsm=)");
        }
        // libbpf finds LSM hooks as bpf_lsm_NAME
        Support attach = loadTracing(BpfConstants.BPF_PROG_TYPE_LSM, BpfConstants.BPF_LSM_MAC, "file_open",
                "an LSM program for file_open", true);
        return active == null || !attach.available() ? attach
                : new Support(true, attach.detail() + "; " + ACTIVE_LSMS + " lists bpf");
    }

    static Support uprobes() {
        return Files.isDirectory(UPROBE_PMU)
                ? new Support(true, "the perf uprobe PMU is at " + UPROBE_PMU)
                : new Support(false, "no perf uprobe PMU (" + UPROBE_PMU + "): CONFIG_UPROBES is off");
    }

    /** The library's own check (Tc.kernelHasTcx: a tcx query on lo; only EINVAL says no). */
    static Support tcx() {
        return Tc.kernelHasTcx()
                ? new Support(true, "the kernel answered a query of lo's BPF_TCX_INGRESS programs")
                : new Support(false, "the kernel does not know BPF_TCX_INGRESS (tcx came in Linux 6.6)");
    }

    /** A hardware instructions counter of this process: the perf events the tests open. */
    static Support hardwarePerfEvents() {
        try (PerfEvent event = PerfEvent.builder(PerfEventType.hardware(HardwareEvent.INSTRUCTIONS)).pid(0).open()) {
            return new Support(true, "a hardware instructions counter of this process opened");
        } catch (PerfEventUnavailableException e) {
            return new Support(false, e.getMessage()); // says "hardware PMU events are not available on this machine"
        }
    }

    /**
     * Loads {@code r0 = 0; exit} as a GPL program of {@code type} for the vmlinux BTF function
     * {@code function} with {@code attachType}, and attaches it when {@code attach}; closes both.
     */
    private static Support loadTracing(int type, int attachType, String function, String what, boolean attach) {
        try (Arena arena = Arena.ofConfined()) {
            int btfId = LibBpf.libbpf_find_vmlinux_btf_id(arena.allocateFrom(function), attachType);
            if (btfId < 0) {
                return new Support(false, "no " + function + " in vmlinux BTF for " + what + ": " + errno(btfId));
            }
            MemorySegment opts = bpf_prog_load_opts.allocate(arena);
            bpf_prog_load_opts.sz(opts, bpf_prog_load_opts.sizeof());
            bpf_prog_load_opts.expected_attach_type(opts, attachType);
            bpf_prog_load_opts.attach_btf_id(opts, btfId);
            // two instructions, all registers, offsets and immediates 0 (so in either byte order)
            MemorySegment code = arena.allocate(16, 8);
            code.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xb7); // BPF_ALU64 | BPF_MOV | BPF_K: r0 = 0
            code.set(ValueLayout.JAVA_BYTE, 8, (byte) 0x95); // BPF_JMP | BPF_EXIT
            int prog = LibBpf.bpf_prog_load(type, MemorySegment.NULL, arena.allocateFrom("GPL"), code, 2, opts);
            if (prog < 0) {
                return new Support(false, "loading " + what + " failed: " + errno(prog));
            }
            try (Fd program = Fd.adopt(prog)) {
                if (!attach) {
                    return new Support(true, what + " loaded");
                }
                int link = LibBpf.bpf_link_create(program.value(), 0, attachType, MemorySegment.NULL);
                if (link < 0) {
                    return new Support(false, what + " loaded, but attaching it failed: " + errno(link));
                }
                Fd.close(link);
                return new Support(true, what + " loaded and attached");
            }
        }
    }

    private static String errno(int negativeErrno) {
        return Errno.name(negativeErrno) + " (" + Errno.message(negativeErrno) + ")";
    }
}
