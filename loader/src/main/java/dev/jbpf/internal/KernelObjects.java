package dev.jbpf.internal;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The one way to open the kernel's programs, maps and links by pin ({@code bpf_obj_get}) or by
 * id ({@code bpf_prog|map|link_get_fd_by_id}), and to pin one by its fd ({@code bpf_obj_pin}),
 * behind {@code KernelProgram}, {@code BpfMap} and {@code BpfLink}'s {@code openById},
 * {@code openPinned} and {@code pin}. These are thin syscall wrappers that never print, so they
 * install no LibBpfLog callback (its upcall stub costs ~15 ms of a CLI start). Not API. Each
 * {@link Fd} returned is the caller's; scratch memory lives in a confined arena of one call.
 */
public final class KernelObjects {
    /** The three kinds of BPF object that have ids and pins. */
    public enum Kind {
        PROGRAM("program", "prog"), MAP("map", "map"), LINK("link", "link");

        private final String noun;
        private final String listCommand;

        Kind(String noun, String listCommand) {
            this.noun = noun;
            this.listCommand = listCommand;
        }

        /** How messages name it: "program", "map", "link". */
        public String noun() {
            return noun;
        }

        private boolean isKindOf(int fd) {
            return Fd.kindName(fd).equals(noun);
        }
    }

    /** Reads what a listing wants of one object through a new fd of it (closed afterwards). */
    @FunctionalInterface
    public interface Describe<T> {
        T describe(int fd, int id);
    }

    private KernelObjects() {
    }

    /**
     * Every {@code kind} in the kernel, by increasing id ({@code bpf_*_get_next_id},
     * {@code bpf_*_get_fd_by_id}): {@code describe} reads each through a new fd, which is closed
     * before {@code action} sees the result, so printing as it goes holds one fd at a time. Those
     * gone between the two calls are skipped. No CAP_SYS_ADMIN (or CAP_BPF): BpfPermissionException.
     */
    public static <T> void forEach(Kind kind, Describe<T> describe, Consumer<T> action) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(ValueLayout.JAVA_INT);
            int id = 0;
            while (true) {
                int result = switch (kind) {
                    case PROGRAM -> LibBpf.bpf_prog_get_next_id(id, next);
                    case MAP -> LibBpf.bpf_map_get_next_id(id, next);
                    case LINK -> LibBpf.bpf_link_get_next_id(id, next);
                };
                if (result == -Errno.ENOENT) {
                    return; // none after id
                }
                if (result < 0) {
                    throw BpfException.of("list " + kind.noun + "s", "", -result, null);
                }
                id = next.get(ValueLayout.JAVA_INT, 0);
                T described;
                try (Fd fd = openById(kind, id)) {
                    described = describe.describe(fd.value(), id);
                } catch (BpfNotFoundException gone) {
                    continue; // unloaded or released since get_next_id
                }
                action.accept(described);
            }
        }
    }

    /**
     * A new fd of the {@code kind} pinned at {@code path}. Nothing there →
     * BpfNotFoundException; not a pin (a directory, not bpffs) or another kind pinned there →
     * BpfException saying which ("what is pinned there is a map, not a link").
     */
    public static Fd openPinned(Kind kind, Path path) {
        Objects.requireNonNull(path, "path");
        String operation = "open pinned " + kind.noun;
        int raw;
        try (Arena arena = Arena.ofConfined()) {
            raw = LibBpf.bpf_obj_get(arena.allocateFrom(path.toAbsolutePath().toString()));
        }
        if (raw < 0) {
            throw BpfFs.notAPin(operation, path, -raw);
        }
        Fd fd = Fd.adopt(raw);
        if (!kind.isKindOf(raw)) {
            String pinned = Fd.kindName(raw);
            fd.close();
            throw new BpfException(operation, path.toString(), Errno.EINVAL,
                    "what is pinned there is a " + pinned + ", not a " + kind.noun);
        }
        return fd;
    }

    /** A new fd of the {@code kind} with this id; none → BpfNotFoundException naming the list that shows ids. */
    public static Fd openById(Kind kind, int id) {
        int raw = switch (kind) {
            case PROGRAM -> LibBpf.bpf_prog_get_fd_by_id(id);
            case MAP -> LibBpf.bpf_map_get_fd_by_id(id);
            case LINK -> LibBpf.bpf_link_get_fd_by_id(id);
        };
        if (raw < 0) {
            int errno = -raw;
            throw BpfException.of("open " + kind.noun, "id " + id, errno, errno == Errno.ENOENT
                    ? "no " + kind.noun + " has this id (" + kind.listCommand + " list shows those that do)" : null);
        }
        return Fd.adopt(raw);
    }

    /**
     * Pins what {@code fd} refers to at {@code path} on bpffs, creating missing parent
     * directories ({@link BpfFs#preparePin}). Something there already → BpfException (EEXIST)
     * saying so; {@code target} names the object in messages.
     */
    public static void pin(int fd, Path path, String target) {
        Path absolute = path.toAbsolutePath();
        BpfFs.preparePin(absolute);
        int result;
        try (Arena arena = Arena.ofConfined()) {
            result = LibBpf.bpf_obj_pin(fd, arena.allocateFrom(absolute.toString()));
        }
        if (result < 0) {
            int errno = -result;
            throw BpfException.of("pin", target, errno,
                    "path " + absolute + (errno == Errno.EEXIST ? " already exists" : ""));
        }
    }
}
