package dev.jbpf.link;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibC;
import dev.jbpf.program.ProgramType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A cgroup (v2) directory, e.g. {@code new Cgroup(Path.of("/sys/fs/cgroup/web"))}: the
 * program runs for the processes in that cgroup and its descendants (packets of their sockets,
 * socket creation, connects, ...). A value: holds no native memory; attaching opens the
 * directory for the call only (the kernel link keeps its own reference to the cgroup).
 *
 * <p>The hook is the program's attach type, given by its section
 * ({@code SEC("cgroup_skb/ingress")}, {@code SEC("cgroup/sock_create")}, ...) through
 * {@code bpf_program__attach_cgroup}, or the {@link AttachType} given here
 * ({@code bpf_link_create}), needed for sections that name none, such as {@code SEC("cgroup/skb")}.
 * Either way the attachment is a kernel BPF link, which can be pinned; several programs can be
 * attached to one cgroup hook (the kernel runs them all). libbpf cannot attach cgroup programs by
 * their section alone (the section names no cgroup): use {@code program.attach(new Cgroup(dir))}.
 *
 * @param directory the cgroup's directory on the cgroup2 file system
 * @param type the hook, or null for the one the program's section names
 */
public record Cgroup(Path directory, AttachType type) implements AttachPoint {
    private static final Set<ProgramType> CGROUP_PROGRAMS = Set.of(ProgramType.CGROUP_SKB, ProgramType.CGROUP_SOCK,
            ProgramType.CGROUP_SOCK_ADDR, ProgramType.SOCK_OPS, ProgramType.CGROUP_DEVICE, ProgramType.CGROUP_SYSCTL,
            ProgramType.CGROUP_SOCKOPT);

    /** The cgroup hooks ({@code BPF_CGROUP_*} attach types). */
    public enum AttachType {
        /** Packets delivered to the cgroup's sockets (cgroup_skb). */
        INET_INGRESS(BpfConstants.BPF_CGROUP_INET_INGRESS),
        /** Packets the cgroup's sockets send (cgroup_skb). */
        INET_EGRESS(BpfConstants.BPF_CGROUP_INET_EGRESS),
        /** socket(2) of an inet socket (cgroup/sock_create); returning 0 denies it with EPERM. */
        INET_SOCK_CREATE(BpfConstants.BPF_CGROUP_INET_SOCK_CREATE),
        INET_SOCK_RELEASE(BpfConstants.BPF_CGROUP_INET_SOCK_RELEASE),
        SOCK_OPS(BpfConstants.BPF_CGROUP_SOCK_OPS),
        DEVICE(BpfConstants.BPF_CGROUP_DEVICE),
        INET4_BIND(BpfConstants.BPF_CGROUP_INET4_BIND),
        INET6_BIND(BpfConstants.BPF_CGROUP_INET6_BIND),
        INET4_CONNECT(BpfConstants.BPF_CGROUP_INET4_CONNECT),
        INET6_CONNECT(BpfConstants.BPF_CGROUP_INET6_CONNECT),
        INET4_POST_BIND(BpfConstants.BPF_CGROUP_INET4_POST_BIND),
        INET6_POST_BIND(BpfConstants.BPF_CGROUP_INET6_POST_BIND),
        UDP4_SENDMSG(BpfConstants.BPF_CGROUP_UDP4_SENDMSG),
        UDP6_SENDMSG(BpfConstants.BPF_CGROUP_UDP6_SENDMSG),
        UDP4_RECVMSG(BpfConstants.BPF_CGROUP_UDP4_RECVMSG),
        UDP6_RECVMSG(BpfConstants.BPF_CGROUP_UDP6_RECVMSG),
        INET4_GETPEERNAME(BpfConstants.BPF_CGROUP_INET4_GETPEERNAME),
        INET6_GETPEERNAME(BpfConstants.BPF_CGROUP_INET6_GETPEERNAME),
        INET4_GETSOCKNAME(BpfConstants.BPF_CGROUP_INET4_GETSOCKNAME),
        INET6_GETSOCKNAME(BpfConstants.BPF_CGROUP_INET6_GETSOCKNAME),
        SYSCTL(BpfConstants.BPF_CGROUP_SYSCTL),
        GETSOCKOPT(BpfConstants.BPF_CGROUP_GETSOCKOPT),
        SETSOCKOPT(BpfConstants.BPF_CGROUP_SETSOCKOPT);

        private final int value;

        AttachType(int value) {
            this.value = value;
        }

        /** The {@code BPF_CGROUP_*} value. */
        public int value() {
            return value;
        }
    }

    public Cgroup {
        Objects.requireNonNull(directory, "directory");
    }

    /** The cgroup at {@code directory}, at the hook the program's section names. */
    public Cgroup(Path directory) {
        this(directory, null);
    }

    @Override
    public String describe() {
        return "cgroup " + directory + (type == null ? "" : " (" + type.name().toLowerCase(Locale.ROOT) + ")");
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        AttachPoints.requireType(program, this, CGROUP_PROGRAMS,
                "a cgroup needs a cgroup program (SEC(\"cgroup_skb/ingress\"), SEC(\"cgroup/sock_create\"), ...)");
        String fileSystem = fileSystemOf(directory);
        if (fileSystem != null && !fileSystem.equals("cgroup2")) {
            throw new IllegalArgumentException("cannot attach program " + AttachPoints.programName(program) + " to "
                    + describe() + ": " + directory + " is not a cgroup v2 directory (it is on " + fileSystem
                    + "); BPF programs attach to cgroup v2 only");
        }
        int opened = LibC.open(directory.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (opened < 0) {
            throw BpfException.of("open cgroup", directory.toString(), -opened, null);
        }
        try (Fd cgroup = Fd.adopt(opened)) {
            if (type == null) {
                int cgroupFd = cgroup.value();
                return request.libbpfLink(() -> LibBpf.bpf_program__attach_cgroup(program, cgroupFd));
            }
            return request.kernelLinkFd(AttachPoints.linkCreate(program, cgroup.value(), type.value, 0, request.arena()));
        }
    }

    /** The type of the file system holding {@code path} ("cgroup2", "tmpfs"), or null when unknown (missing path). */
    private static String fileSystemOf(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException e) {
            return null; // opening it says what is wrong, with errno
        }
    }
}
