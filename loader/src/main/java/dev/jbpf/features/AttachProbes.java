package dev.jbpf.features;

import static dev.jbpf.features.ProbePrograms.errno;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_link_create_opts;
import dev.jbpf.bindings.bpf_prog_load_opts;
import dev.jbpf.bindings.perf_event_attr;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibC;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The facility probes that ask the kernel to attach, one mechanism for all: a two-instruction
 * program of {@link ProbePrograms} is loaded and attached where the facility attaches (a
 * trampoline, a kretprobe, a uprobe, a kprobe_multi link), or, where a real attach would touch
 * what others use, linked to a target that cannot exist, the kernel's errno telling whether it
 * knows the kind of link (as libbpf probes uprobe_multi); hardware perf events, which programs
 * read rather than attach to, by opening one. Every fd a probe opens is closed, and
 * its scratch memory freed, before it returns; {@link KernelFeatures} runs each once and keeps
 * the answer.
 */
final class AttachProbes {
    /** A kernel function that exists to be traced by tests (net/bpf/test_run.c), never called otherwise. */
    static final String TRACED_FUNCTION = "bpf_fentry_test1";
    /** The LSM hook the LSM probe attaches to (libbpf finds it in BTF as bpf_lsm_file_open). */
    static final String LSM_HOOK = "file_open";
    /**
     * The function the fmod_ret probe modifies: net/bpf/test_run.c keeps it for exactly this (on
     * the error-injection list, later on the fmod_ret kfunc set), and BPF_PROG_TEST_RUN of a
     * tracing program calls it, so tests can see a modified return without touching a syscall.
     */
    static final String MODIFY_RETURN_FUNCTION = "bpf_modify_return_test";
    private static final Path PMU_DEVICES = Path.of("/sys/bus/event_source/devices");
    private static final Path KPROBE_PMU = PMU_DEVICES.resolve("kprobe");
    private static final Path UPROBE_PMU = PMU_DEVICES.resolve("uprobe");
    private static final Path ACTIVE_LSMS = Path.of("/sys/kernel/security/lsm");

    private AttachProbes() {
    }

    private static FacilitySupport yes(Facility facility, String detail) {
        return new FacilitySupport(facility, true, detail);
    }

    private static FacilitySupport no(Facility facility, String detail) {
        return new FacilitySupport(facility, false, detail);
    }

    // ---- trampolines: fentry, fmod_ret, LSM

    /** A tracing program for fentry of {@link #TRACED_FUNCTION}, loaded and attached (a trampoline on a function nothing calls). */
    static FacilitySupport fentry() {
        return trampoline(Facility.FENTRY, BpfConstants.BPF_PROG_TYPE_TRACING, BpfConstants.BPF_TRACE_FENTRY,
                TRACED_FUNCTION, "a tracing program for fentry of " + TRACED_FUNCTION, "");
    }

    /**
     * A BPF_MODIFY_RETURN tracing program that returns 0 (so the function runs as ever), loaded
     * for and attached to {@link #MODIFY_RETURN_FUNCTION}. The verifier takes fmod_ret only for
     * functions the kernel allows it on (the error-injection list, the fmod_ret set).
     */
    static FacilitySupport fmodRet() {
        return trampoline(Facility.FMOD_RET, BpfConstants.BPF_PROG_TYPE_TRACING, BpfConstants.BPF_MODIFY_RETURN,
                MODIFY_RETURN_FUNCTION, "an fmod_ret program for " + MODIFY_RETURN_FUNCTION,
                " (the verifier takes fmod_ret only for functions on the error-injection list or the fmod_ret set)");
    }

    /**
     * An LSM program for {@link #LSM_HOOK} that allows everything, loaded and attached; and,
     * where securityfs says which LSMs are active, "bpf" among them (otherwise the hooks never
     * run, whatever is attached).
     */
    static FacilitySupport lsm() {
        String active = null;
        if (Files.isReadable(ACTIVE_LSMS)) {
            try {
                active = Files.readString(ACTIVE_LSMS).strip();
            } catch (IOException e) {
                active = null;
            }
        }
        if (active != null && !List.of(active.split(",")).contains("bpf")) {
            return no(Facility.LSM, "the BPF LSM is not active: " + ACTIVE_LSMS + " lists " + active + " (\"bpf\" missing from lsm=)");
        }
        FacilitySupport attach = trampoline(Facility.LSM, BpfConstants.BPF_PROG_TYPE_LSM, BpfConstants.BPF_LSM_MAC, LSM_HOOK,
                "an LSM program for " + LSM_HOOK, "");
        if (!attach.available()) {
            return attach;
        }
        return yes(Facility.LSM, attach.detail() + (active != null ? ", and " + ACTIVE_LSMS + " lists bpf"
                : " (" + ACTIVE_LSMS + " unreadable: whether the BPF LSM is active is not known)"));
    }

    /**
     * Loads {@code r0 = 0; exit} as a GPL program of {@code type} for the vmlinux BTF function
     * {@code function} with {@code attachType}, attaches it with a link, and closes both.
     * {@code refusedWithEinval} is added to the detail when the load fails with EINVAL.
     */
    private static FacilitySupport trampoline(Facility facility, int type, int attachType, String function, String what,
            String refusedWithEinval) {
        try (Arena arena = Arena.ofConfined()) {
            int btfId = LibBpf.libbpf_find_vmlinux_btf_id(arena.allocateFrom(function), attachType);
            if (btfId < 0) {
                return no(facility, "no " + function + " in vmlinux BTF for " + what + ": " + errno(btfId));
            }
            MemorySegment opts = ProbePrograms.loadOptions(arena);
            bpf_prog_load_opts.expected_attach_type(opts, attachType);
            bpf_prog_load_opts.attach_btf_id(opts, btfId);
            int prog = ProbePrograms.load(arena, type, opts, ProbePrograms.returnZero());
            if (prog < 0) {
                return no(facility, "loading " + what + " failed: " + errno(prog) + (prog == -Errno.EINVAL ? refusedWithEinval : ""));
            }
            try (Fd program = Fd.adopt(prog)) {
                int link = LibBpf.bpf_link_create(program.value(), 0, attachType, MemorySegment.NULL);
                if (link < 0) {
                    return no(facility, what + " loaded, but attaching it failed: " + errno(link));
                }
                Fd.close(link);
                return yes(facility, what + " loaded and attached");
            }
        }
    }

    // ---- kprobes and uprobes through their perf PMUs

    /**
     * A kprobe program attached to a kretprobe of {@link #TRACED_FUNCTION}, made through the perf
     * kprobe PMU with its retprobe bit (as libbpf makes kretprobes), then closed.
     */
    static FacilitySupport kretprobes() {
        Path retprobe = KPROBE_PMU.resolve("format/retprobe");
        if (!Files.exists(KPROBE_PMU.resolve("type"))) {
            return no(Facility.KRETPROBES, "no perf kprobe PMU (" + KPROBE_PMU
                    + "), through which kretprobes attach: the kernel has no kprobe events (CONFIG_KPROBE_EVENTS off?)");
        }
        int bit;
        try {
            bit = formatBit(retprobe);
        } catch (IOException | RuntimeException e) {
            return no(Facility.KRETPROBES, "the perf kprobe PMU has no readable " + retprobe + " (" + e.getMessage()
                    + "): it makes no kretprobes");
        }
        try (Arena arena = Arena.ofConfined()) {
            return perfProbe(Facility.KRETPROBES, arena, KPROBE_PMU, 1L << bit, arena.allocateFrom(TRACED_FUNCTION),
                    "a kretprobe of " + TRACED_FUNCTION + " through the perf kprobe PMU");
        }
    }

    /**
     * A kprobe program attached to a uprobe on a scratch file of its own, made through the perf
     * uprobe PMU (as libbpf makes uprobes), then closed and the file deleted. Nothing maps the
     * file, so no process gets a breakpoint.
     */
    static FacilitySupport uprobes() {
        if (!Files.exists(UPROBE_PMU.resolve("type"))) {
            return no(Facility.UPROBES, "no perf uprobe PMU (" + UPROBE_PMU
                    + "), through which uprobes attach: the kernel has no uprobe events (CONFIG_UPROBE_EVENTS off?)");
        }
        Path scratch;
        try {
            scratch = scratchFile();
        } catch (IOException | RuntimeException e) {
            return no(Facility.UPROBES, "no scratch file to put a uprobe on could be made: " + e);
        }
        try (Arena arena = Arena.ofConfined()) {
            Files.write(scratch, new byte[16]); // offset 0 of a file of some bytes: never read, nothing maps it
            return perfProbe(Facility.UPROBES, arena, UPROBE_PMU, 0, arena.allocateFrom(scratch.toString()),
                    "a uprobe on a scratch file through the perf uprobe PMU");
        } catch (IOException e) {
            return no(Facility.UPROBES, "no scratch file to put a uprobe on could be written: " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                // left in the temporary directory: harmless, and no reason to change the answer
            }
        }
    }

    /**
     * A new empty file in the temporary directory, made exclusively (O_EXCL: never a file that
     * was there). Named by pid and clock rather than by Files.createTempFile, whose SecureRandom
     * would leave /dev/random and /dev/urandom open for the rest of the process.
     */
    private static Path scratchFile() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        String prefix = "jbpf-uprobe-probe-" + ProcessHandle.current().pid() + "-";
        for (int attempt = 0;; attempt++) {
            try {
                return Files.createFile(dir.resolve(prefix + System.nanoTime() + ".bin"));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 9) {
                    throw e;
                }
            }
        }
    }

    /**
     * Opens the probe {@code what} (offset 0 of {@code target}: a kernel function's or a file's
     * name) on the perf PMU at {@code pmu} with {@code config}, as libbpf does (pid -1, cpu 0),
     * and attaches a kprobe program to it with PERF_EVENT_IOC_SET_BPF.
     */
    private static FacilitySupport perfProbe(Facility facility, Arena arena, Path pmu, long config, MemorySegment target,
            String what) {
        int pmuType;
        try {
            pmuType = Integer.parseInt(firstLine(pmu.resolve("type")));
        } catch (IOException | RuntimeException e) {
            return no(facility, "the PMU type of " + pmu + " is unreadable: " + e.getMessage());
        }
        int prog = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_KPROBE, ProbePrograms.loadOptions(arena),
                ProbePrograms.returnZero());
        if (prog < 0) {
            return no(facility, "loading a kprobe program for " + what + " failed: " + errno(prog));
        }
        try (Fd program = Fd.adopt(prog)) {
            MemorySegment attr = perf_event_attr.allocate(arena); // zeroed: probe_offset 0, enabled
            perf_event_attr.type(attr, pmuType);
            perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
            perf_event_attr.config(attr, config);
            perf_event_attr.kprobe_func(attr, target.address()); // config1: kprobe_func and uprobe_path alike
            int event;
            try {
                event = LibC.perfEventOpen(attr, -1, 0, -1, BpfConstants.PERF_FLAG_FD_CLOEXEC);
            } catch (UnsupportedOperationException e) {
                return no(facility, "opening " + what + " is not possible here: " + e.getMessage());
            }
            if (event < 0) {
                return no(facility, "opening " + what + " failed: " + errno(event));
            }
            try (Fd perf = Fd.adopt(event)) {
                int error = LibC.ioctl(perf.value(), BpfConstants.PERF_EVENT_IOC_SET_BPF, program.value());
                if (error != 0) {
                    return no(facility, what + " opened, but attaching a kprobe program to it failed: " + errno(-error));
                }
                return yes(facility, "a kprobe program attached to " + what);
            }
        }
    }

    /** The bit a PMU format file names: "config:0" says bit 0 of perf_event_attr.config. */
    private static int formatBit(Path format) throws IOException {
        String line = firstLine(format);
        if (!line.startsWith("config:")) {
            throw new IOException("expected config:BIT, read \"" + line + "\"");
        }
        return Integer.parseInt(line.substring("config:".length()).strip());
    }

    /** The first line of a sysfs file, read in one read (as SystemProbes reads sysctls). */
    private static String firstLine(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            if (line == null) {
                throw new IOException(file + " is empty");
            }
            return line.strip();
        }
    }

    // ---- multi links

    /**
     * A kprobe program attached by a kprobe_multi link to {@link #TRACED_FUNCTION}, then closed.
     * Kernels without fprobe (CONFIG_FPROBE) answer EOPNOTSUPP, kernels before 5.18 EINVAL.
     */
    static FacilitySupport kprobeMulti() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = ProbePrograms.loadOptions(arena);
            bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_TRACE_KPROBE_MULTI);
            int prog = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_KPROBE, opts, ProbePrograms.returnZero());
            if (prog < 0) {
                return no(Facility.KPROBE_MULTI, "loading a kprobe program for kprobe_multi failed: " + errno(prog));
            }
            try (Fd program = Fd.adopt(prog)) {
                MemorySegment syms = arena.allocate(ValueLayout.ADDRESS);
                syms.set(ValueLayout.ADDRESS, 0, arena.allocateFrom(TRACED_FUNCTION));
                MemorySegment link = bpf_link_create_opts.allocate(arena);
                bpf_link_create_opts.sz(link, bpf_link_create_opts.sizeof());
                MemorySegment multi = bpf_link_create_opts.kprobe_multi(link);
                bpf_link_create_opts.kprobe_multi.syms(multi, syms);
                bpf_link_create_opts.kprobe_multi.cnt(multi, 1);
                int fd = LibBpf.bpf_link_create(program.value(), 0, BpfConstants.BPF_TRACE_KPROBE_MULTI, link);
                if (fd >= 0) {
                    Fd.close(fd);
                    return yes(Facility.KPROBE_MULTI, "a kprobe program attached to " + TRACED_FUNCTION + " by a kprobe_multi link");
                }
                String why = fd == -Errno.EOPNOTSUPP ? ": the kernel has no fprobe (CONFIG_FPROBE off)"
                        : fd == -Errno.EINVAL ? ": the kernel does not know kprobe_multi links (Linux 5.18 and later)" : "";
                return no(Facility.KPROBE_MULTI, "a kprobe_multi link to " + TRACED_FUNCTION + " was refused with " + errno(fd) + why);
            }
        }
    }

    /**
     * libbpf's own probe (probe_uprobe_multi_link): a uprobe_multi link on "/" must fail with
     * EBADF (the kernel took the request and looked at the file), then with pid -1 with EINVAL
     * (kernels that filter by process, 6.9 and later; libbpf uses uprobe_multi only on those).
     */
    static FacilitySupport uprobeMulti() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = ProbePrograms.loadOptions(arena);
            bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_TRACE_UPROBE_MULTI);
            int prog = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_KPROBE, opts, ProbePrograms.returnZero());
            if (prog < 0) {
                return no(Facility.UPROBE_MULTI, "loading a kprobe program for uprobe_multi failed: " + errno(prog));
            }
            try (Fd program = Fd.adopt(prog)) {
                MemorySegment offset = arena.allocate(ValueLayout.JAVA_LONG); // offset 0
                MemorySegment root = arena.allocateFrom("/");
                int first = uprobeMultiLink(arena, program.value(), root, offset, 0);
                if (first != -Errno.EBADF) {
                    return no(Facility.UPROBE_MULTI, "a uprobe_multi link on / answered "
                            + (first >= 0 ? "with a link" : errno(first)) + ", not EBADF: no uprobe_multi links");
                }
                int second = uprobeMultiLink(arena, program.value(), root, offset, -1);
                boolean filtered = second == -Errno.EINVAL;
                return new FacilitySupport(Facility.UPROBE_MULTI, filtered, filtered
                        ? "uprobe_multi links exist and filter by process (pid -1 refused with EINVAL)"
                        : "uprobe_multi links exist but filter by thread, not process (pid -1 answered "
                                + (second >= 0 ? "with a link" : errno(second)) + "): libbpf does not use them");
            }
        }
    }

    /** A uprobe_multi link of one offset; returns -errno, or 0 after closing a link that (unexpectedly) came. */
    private static int uprobeMultiLink(Arena arena, int program, MemorySegment path, MemorySegment offsets, int pid) {
        MemorySegment opts = bpf_link_create_opts.allocate(arena);
        bpf_link_create_opts.sz(opts, bpf_link_create_opts.sizeof());
        MemorySegment multi = bpf_link_create_opts.uprobe_multi(opts);
        bpf_link_create_opts.uprobe_multi.path(multi, path);
        bpf_link_create_opts.uprobe_multi.offsets(multi, offsets);
        bpf_link_create_opts.uprobe_multi.cnt(multi, 1);
        bpf_link_create_opts.uprobe_multi.pid(multi, pid);
        int link = LibBpf.bpf_link_create(program, -1, BpfConstants.BPF_TRACE_UPROBE_MULTI, opts);
        if (link >= 0) {
            Fd.close(link);
            return 0;
        }
        return link;
    }

    // ---- perf event links

    /**
     * libbpf's own probe (probe_perf_link): a tracepoint program linked to perf event fd -1 must
     * fail with EBADF (the kernel took the request and looked up the fd); kernels before 5.15 do
     * not know the attach type and answer EINVAL. Nothing is attached.
     */
    static FacilitySupport perfEventLinks() {
        try (Arena arena = Arena.ofConfined()) {
            int prog = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_TRACEPOINT, ProbePrograms.loadOptions(arena),
                    ProbePrograms.returnZero());
            if (prog < 0) {
                return no(Facility.PERF_EVENT_LINKS, "loading a tracepoint program failed: " + errno(prog));
            }
            try (Fd program = Fd.adopt(prog)) {
                int link = LibBpf.bpf_link_create(program.value(), -1, BpfConstants.BPF_PERF_EVENT, MemorySegment.NULL);
                if (link >= 0) {
                    Fd.close(link);
                    return no(Facility.PERF_EVENT_LINKS, "a perf event link to fd -1 was made: the kernel answers nonsense");
                }
                return link == -Errno.EBADF
                        ? yes(Facility.PERF_EVENT_LINKS, "a perf event link to fd -1 answered EBADF: the kernel knows such links")
                        : no(Facility.PERF_EVENT_LINKS, "a perf event link to fd -1 answered " + errno(link)
                                + ", not EBADF: the kernel makes no perf event links (Linux 5.15 and later); attachments go"
                                + " through the PERF_EVENT_IOC_SET_BPF ioctl and cannot be pinned");
            }
        }
    }

    // ---- tcx

    /**
     * A sched_cls program linked to tcx ingress of interface index 0, which no interface has: a
     * kernel that knows tcx links looks the interface up and answers ENODEV; kernels before 6.6
     * answer EINVAL. Nothing is attached to a real interface, so no traffic is touched.
     */
    static FacilitySupport tcx() {
        try (Arena arena = Arena.ofConfined()) {
            int prog = ProbePrograms.load(arena, BpfConstants.BPF_PROG_TYPE_SCHED_CLS, ProbePrograms.loadOptions(arena),
                    ProbePrograms.returnZero());
            if (prog < 0) {
                return no(Facility.TCX, "loading a sched_cls program for a tcx link failed: " + errno(prog));
            }
            try (Fd program = Fd.adopt(prog)) {
                int link = LibBpf.bpf_link_create(program.value(), 0, BpfConstants.BPF_TCX_INGRESS, MemorySegment.NULL);
                if (link >= 0) {
                    Fd.close(link); // not expected: index 0 names no interface
                    return yes(Facility.TCX, "a tcx ingress link of a sched_cls program on interface index 0 was made");
                }
                boolean known = link == -Errno.ENODEV;
                return new FacilitySupport(Facility.TCX, known, "a tcx ingress link of a sched_cls program on interface index 0 "
                        + "answered " + errno(link) + (known ? ": the kernel knows tcx links and looked for the interface"
                                : ", not ENODEV: the kernel does not know tcx links (Linux 6.6 and later)"));
            }
        }
    }

    // ---- hardware perf events

    /**
     * A hardware instructions counter of the calling thread (perf_event_open of
     * PERF_TYPE_HARDWARE, disabled, then closed): what a perf_event program or a counter reader
     * needs a CPU PMU for. ENOENT, ENODEV or EOPNOTSUPP say the machine has none.
     */
    static FacilitySupport hardwarePerfEvents() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.type(attr, BpfConstants.PERF_TYPE_HARDWARE);
            perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
            perf_event_attr.config(attr, BpfConstants.PERF_COUNT_HW_INSTRUCTIONS);
            perf_event_attr.disabled(attr, 1);
            int event;
            try {
                event = LibC.perfEventOpen(attr, 0, -1, -1, BpfConstants.PERF_FLAG_FD_CLOEXEC);
            } catch (UnsupportedOperationException e) {
                return no(Facility.HARDWARE_PERF_EVENTS, "no perf event can be opened here: " + e.getMessage());
            }
            if (event >= 0) {
                Fd.close(event);
                return yes(Facility.HARDWARE_PERF_EVENTS, "a hardware instructions counter of this thread opened");
            }
            boolean noPmu = event == -Errno.ENOENT || event == -Errno.ENODEV || event == -Errno.EOPNOTSUPP;
            return no(Facility.HARDWARE_PERF_EVENTS, "opening a hardware instructions counter of this thread failed with "
                    + errno(event) + (noPmu ? ": this machine has no CPU PMU the kernel counts with (a VM without a virtual PMU?)" : ""));
        }
    }
}
