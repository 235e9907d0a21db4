package dev.jbpf.features;

import dev.jbpf.asm.Opcodes;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_load_opts;
import dev.jbpf.internal.Fd;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a program type may call a helper: {@code libbpf_probe_bpf_helper}, or on libbpf
 * older than 1.5 the same probe done here. Kernels from 6.10 on refuse a helper the type may
 * not call with "program of this type cannot use helper", words libbpf learnt only in 1.5
 * (commit "bpf: improve error message for unsupported helper"): an older libbpf reads the
 * refusal as "supported" and calls every helper available. So with libbpf 1.4 this class loads
 * the program libbpf 1.5 loads (a call of the helper, then exit, with the attach type libbpf's
 * probe_prog_load gives each program type) and reads the verifier log for the same three
 * messages. The program fd is closed at once; the log and the program live in a confined
 * arena that {@link #close()} frees.
 */
final class HelperProbe implements AutoCloseable {
    /** The verifier's words for "not for this program type", old and new; any of them says no. */
    private static final String[] REFUSALS = {"invalid func ", "unknown func ", "program of this type cannot use helper "};
    private static final int LOG_SIZE = 4096;
    private static final boolean LIBBPF_KNOWS_ALL_REFUSALS = libbpfAtLeast(1, 5);

    private final int programType;
    private final Arena arena = Arena.ofConfined();
    /** Scratch for the libbpf 1.5 probe, made once per program type and reused for each helper. */
    private final MemorySegment opts;
    private final MemorySegment log;
    private final MemorySegment code;
    private final MemorySegment license;
    private final boolean probeable;

    private HelperProbe(int programType) {
        this.programType = programType;
        opts = ProbePrograms.loadOptions(arena);
        probeable = prepare(programType, opts);
        log = arena.allocate(LOG_SIZE);
        bpf_prog_load_opts.log_buf(opts, log);
        bpf_prog_load_opts.log_size(opts, LOG_SIZE);
        bpf_prog_load_opts.log_level(opts, 1);
        code = ProbePrograms.code(arena, new ProbePrograms.Insn(Opcodes.JMP | Opcodes.CALL, 0, 0, 0, 0), ProbePrograms.exit());
        license = arena.allocateFrom("GPL");
    }

    /** A probe of the helpers of one program type, for this thread; close it to free its scratch memory. */
    static HelperProbe open(int programType) {
        return new HelperProbe(programType);
    }

    private static boolean libbpfAtLeast(int major, int minor) {
        int haveMajor = LibBpf.libbpf_major_version();
        return haveMajor > major || (haveMajor == major && LibBpf.libbpf_minor_version() >= minor);
    }

    boolean probe(int helperId) {
        if (LIBBPF_KNOWS_ALL_REFUSALS) {
            return LibBpf.libbpf_probe_bpf_helper(programType, helperId, MemorySegment.NULL) > 0;
        }
        return probeLikeLibbpf15(helperId);
    }

    /** libbpf 1.5's libbpf_probe_bpf_helper with its probe_prog_load, step by step. */
    boolean probeLikeLibbpf15(int helperId) {
        if (!probeable) {
            return false; // libbpf: -EOPNOTSUPP, which bpftool counts as "not available"
        }
        log.set(ValueLayout.JAVA_BYTE, 0, (byte) 0); // a load the kernel refuses without a word leaves no old words
        code.set(ValueLayout.JAVA_INT_UNALIGNED, 4, helperId); // the call's immediate: the helper id
        int fd = LibBpf.bpf_prog_load(programType, MemorySegment.NULL, license, code, 2, opts);
        if (fd >= 0) {
            Fd.close(fd);
            return true;
        }
        String text = log.getString(0);
        for (String refusal : REFUSALS) {
            if (text.contains(refusal)) {
                return false;
            }
        }
        return true; // refused for another reason (an argument check): the helper is known to the type
    }

    @Override
    public void close() {
        arena.close();
    }

    /**
     * Sets what libbpf's probe_prog_load sets for the type; false for the types libbpf does not
     * probe helpers of (their programs need an attach target) and for types it does not know.
     */
    private static boolean prepare(int type, MemorySegment opts) {
        switch (type) {
            case BpfConstants.BPF_PROG_TYPE_TRACING, BpfConstants.BPF_PROG_TYPE_EXT, BpfConstants.BPF_PROG_TYPE_LSM,
                    BpfConstants.BPF_PROG_TYPE_STRUCT_OPS -> {
                return false;
            }
            case BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK_ADDR ->
                    bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_CGROUP_INET4_CONNECT);
            case BpfConstants.BPF_PROG_TYPE_CGROUP_SOCKOPT ->
                    bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_CGROUP_GETSOCKOPT);
            case BpfConstants.BPF_PROG_TYPE_SK_LOOKUP -> bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_SK_LOOKUP);
            case BpfConstants.BPF_PROG_TYPE_KPROBE -> bpf_prog_load_opts.kern_version(opts, KernelVersion.CODE);
            case BpfConstants.BPF_PROG_TYPE_LIRC_MODE2 -> bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_LIRC_MODE2);
            case BpfConstants.BPF_PROG_TYPE_SYSCALL -> bpf_prog_load_opts.prog_flags(opts, BpfConstants.BPF_F_SLEEPABLE);
            case BpfConstants.BPF_PROG_TYPE_NETFILTER -> bpf_prog_load_opts.expected_attach_type(opts, BpfConstants.BPF_NETFILTER);
            case BpfConstants.BPF_PROG_TYPE_SOCKET_FILTER, BpfConstants.BPF_PROG_TYPE_SCHED_CLS,
                    BpfConstants.BPF_PROG_TYPE_SCHED_ACT, BpfConstants.BPF_PROG_TYPE_TRACEPOINT, BpfConstants.BPF_PROG_TYPE_XDP,
                    BpfConstants.BPF_PROG_TYPE_PERF_EVENT, BpfConstants.BPF_PROG_TYPE_CGROUP_SKB,
                    BpfConstants.BPF_PROG_TYPE_CGROUP_SOCK, BpfConstants.BPF_PROG_TYPE_LWT_IN, BpfConstants.BPF_PROG_TYPE_LWT_OUT,
                    BpfConstants.BPF_PROG_TYPE_LWT_XMIT, BpfConstants.BPF_PROG_TYPE_SOCK_OPS, BpfConstants.BPF_PROG_TYPE_SK_SKB,
                    BpfConstants.BPF_PROG_TYPE_CGROUP_DEVICE, BpfConstants.BPF_PROG_TYPE_SK_MSG,
                    BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT, BpfConstants.BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
                    BpfConstants.BPF_PROG_TYPE_LWT_SEG6LOCAL, BpfConstants.BPF_PROG_TYPE_SK_REUSEPORT,
                    BpfConstants.BPF_PROG_TYPE_FLOW_DISSECTOR, BpfConstants.BPF_PROG_TYPE_CGROUP_SYSCTL -> {
                // nothing to set
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The kernel version code libbpf's get_kernel_version puts in a kprobe program's kern_version
     * (kernels before 5.0 insist on it): Ubuntu's from /proc/version_signature, Debian's from the
     * version string, else the release's a.b.c.
     */
    private static final class KernelVersion {
        private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)"); // before CODE, which uses it
        static final int CODE = read();

        private static int read() {
            String ubuntu = firstLine("/proc/version_signature"); // "Ubuntu 5.15.0-91.101-generic 5.15.131"
            if (ubuntu != null) {
                String[] words = ubuntu.split(" ");
                if (words.length >= 3 && code(words[2]) != 0) {
                    return code(words[2]);
                }
            }
            String version = firstLine("/proc/sys/kernel/version"); // Debian: "#1 SMP Debian 4.19.260-1 (2022-09-29)"
            int debian = version == null ? -1 : version.indexOf("Debian ");
            if (debian >= 0 && code(version.substring(debian + "Debian ".length())) != 0) {
                return code(version.substring(debian + "Debian ".length()));
            }
            String release = firstLine("/proc/sys/kernel/osrelease");
            return release == null ? 0 : code(release);
        }

        /** KERNEL_VERSION(a, b, c) of a release that starts with a.b.c; 0 otherwise, as libbpf. */
        private static int code(String release) {
            Matcher m = VERSION.matcher(release);
            if (!m.lookingAt()) {
                return 0;
            }
            int patch = Math.min(Integer.parseInt(m.group(3)), 255);
            return (Integer.parseInt(m.group(1)) << 16) + (Integer.parseInt(m.group(2)) << 8) + patch;
        }

        /** The first line, read in one read: procfs sysctls answer a read at an offset past 0 with nothing. */
        private static String firstLine(String path) {
            try (BufferedReader reader = Files.newBufferedReader(Path.of(path))) {
                return reader.readLine();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
