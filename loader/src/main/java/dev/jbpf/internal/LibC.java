package dev.jbpf.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc functions jbpf needs beside libbpf (formatting libbpf's messages, opening and
 * closing file descriptors, mounting bpffs, the boot clock, perf_event_open with its ioctls and
 * reads, network interface indexes, epoll, inotify), bound through the native linker's default lookup, each
 * on its first call (a holder class per function): creating a downcall handle costs
 * milliseconds in a new JVM, and a command such as {@code jbpf prog list} needs only a few.
 * Not API. Owns no native memory: every call allocates its scratch memory in a confined arena
 * closed before the call returns.
 */
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final class Vsnprintf {
        static final MethodHandle H = downcall("vsnprintf", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }
    private static final class Close {
        static final MethodHandle H = downcall("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    private static final class Mount {
        static final MethodHandle H = downcall("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS), CAPTURE_ERRNO);
    }
    private static final class Statfs {
        static final MethodHandle H = downcall("statfs", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS), CAPTURE_ERRNO);
    }
    private static final class ClockGettime {
        static final MethodHandle H = downcall("clock_gettime",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }
    private static final int CLOCK_BOOTTIME = 7;
    // syscall(2), ioctl(2) and fcntl(2) are variadic in C: the linker must be told where the "..." starts
    private static final class SyscallPerfEventOpen {
        static final MethodHandle H = downcall("syscall", FunctionDescriptor.of(
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    }
    private static final class Ioctl {
        static final MethodHandle H = downcall("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    }
    private static final class Fcntl {
        static final MethodHandle H = downcall("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    }
    private static final class Read {
        static final MethodHandle H = downcall("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    }
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final class Open {
        static final MethodHandle H = downcall("open",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    private static final class IfNametoindex {
        static final MethodHandle H = downcall("if_nametoindex",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS), CAPTURE_ERRNO);
    }
    private static final class Mmap {
        static final MethodHandle H = downcall("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    }
    private static final class Munmap {
        static final MethodHandle H = downcall("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    }
    private static final class Sysconf {
        static final MethodHandle H = downcall("sysconf",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }
    private static final int SC_PAGESIZE = 30;
    private static final class EpollCreate1 {
        static final MethodHandle H = downcall("epoll_create1",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    private static final class EpollCtl {
        static final MethodHandle H = downcall("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), CAPTURE_ERRNO);
    }
    private static final class EpollWait {
        static final MethodHandle H = downcall("epoll_wait", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    private static final class InotifyInit1 {
        static final MethodHandle H = downcall("inotify_init1",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    private static final class InotifyAddWatch {
        static final MethodHandle H = downcall("inotify_add_watch", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    }
    /** inotify(7) flags and event bits. */
    public static final int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000, IN_CREATE = 0x100, IN_DELETE = 0x200,
            IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_ONLYDIR = 0x1000000;
    /** mmap(2) protections and flags. */
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_FIXED = 0x10;
    /** epoll(7) constants. */
    public static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1, EPOLLIN = 1;
    /**
     * Size of {@code struct epoll_event} and the offset of its {@code data} field: the struct is
     * packed on x86_64 (12 bytes), naturally aligned elsewhere (16 bytes).
     */
    public static final long EPOLL_EVENT_SIZE, EPOLL_EVENT_DATA;

    static {
        boolean x86 = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> true;
            default -> false;
        };
        EPOLL_EVENT_SIZE = x86 ? 12 : 16;
        EPOLL_EVENT_DATA = x86 ? 4 : 8;
    }

    /** open(2) flags of x86_64 Linux. */
    public static final int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    private LibC() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    /**
     * C {@code vsnprintf}: formats into {@code buffer} (at most its size, NUL included).
     * {@code vaList} is a pointer to the caller's {@code va_list} (x86_64 passes it as one).
     * Returns the length the whole text needs, as C does.
     */
    public static int vsnprintf(MemorySegment buffer, MemorySegment format, MemorySegment vaList) {
        try {
            return (int) Vsnprintf.H.invokeExact(buffer, buffer.byteSize(), format, vaList);
        } catch (Throwable t) {
            throw new AssertionError("vsnprintf", t);
        }
    }

    /** C {@code close}; returns 0, or the positive errno when the close failed. */
    public static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Close.H.invokeExact(state, fd);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("close", t);
        }
    }

    /** C {@code mount(source, target, type, 0, NULL)}; returns 0 or the positive errno. */
    public static int mount(String source, String target, String type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Mount.H.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(type), 0L, MemorySegment.NULL);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("mount", t);
        }
    }

    /**
     * C {@code statfs(path)}'s {@code f_type}: the magic number of the file system path lies on
     * (following symlinks), or minus the errno when it failed. f_type is the first field of
     * struct statfs, a long on the 64-bit ABIs; the struct is 120 bytes on x86_64 and arm64.
     */
    public static long statfsType(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(256, 8);
            int result = (int) Statfs.H.invokeExact(state, arena.allocateFrom(path), buffer);
            return result == 0 ? buffer.get(ValueLayout.JAVA_LONG, 0) : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("statfs", t);
        }
    }

    /**
     * C {@code open(path, flags)} (no O_CREAT, so no mode); returns the new fd, which the
     * caller owns (see {@link Fd#adopt}), or minus the errno when it failed.
     */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Open.H.invokeExact(state, arena.allocateFrom(path), flags);
            return fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("open", t);
        }
    }

    /**
     * C {@code if_nametoindex}: the index of the network interface named {@code name} in this
     * process's network namespace; minus the errno (ENODEV) when there is none.
     */
    public static int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int index = (int) IfNametoindex.H.invokeExact(state, arena.allocateFrom(name));
            return index > 0 ? index : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("if_nametoindex", t);
        }
    }

    /** Nanoseconds since boot (CLOCK_BOOTTIME), the clock of {@code bpf_prog_info.load_time}. */
    public static long bootTimeNanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8); // struct timespec { long tv_sec; long tv_nsec; }
            int result = (int) ClockGettime.H.invokeExact(CLOCK_BOOTTIME, timespec);
            if (result != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_BOOTTIME) failed");
            }
            return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("clock_gettime", t);
        }
    }

    /** The perf_event_open(2) syscall number of this architecture (glibc has no wrapper). */
    private static long perfEventOpenNumber() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 298;
            case "aarch64" -> 241;
            default -> throw new UnsupportedOperationException("perf_event_open: unsupported architecture "
                    + System.getProperty("os.arch"));
        };
    }

    /**
     * perf_event_open(2) with the {@code struct perf_event_attr} in {@code attr}; returns the new
     * fd, or the negative errno when the kernel refused.
     */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) SyscallPerfEventOpen.H.invokeExact(state, perfEventOpenNumber(), attr, pid, cpu,
                    groupFd, flags);
            return result >= 0 ? (int) result : -(int) ERRNO.get(state, 0L);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("perf_event_open", t);
        }
    }

    /** C {@code ioctl(fd, request, arg)} for requests taking an integer argument; returns 0 or the positive errno. */
    public static int ioctl(int fd, long request, long arg) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Ioctl.H.invokeExact(state, fd, request, arg);
            return result >= 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("ioctl", t);
        }
    }

    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: a new close-on-exec fd for the same file, or the negative errno. */
    public static int dupCloexec(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Fcntl.H.invokeExact(state, fd, F_DUPFD_CLOEXEC, 0);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("fcntl", t);
        }
    }

    /** C {@code read(fd, buffer, buffer.byteSize())}; returns the bytes read, or the negative errno. */
    public static long read(int fd, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) Read.H.invokeExact(state, fd, buffer, buffer.byteSize());
            return result >= 0 ? result : -(long) (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("read", t);
        }
    }

    /**
     * C {@code mmap(address, length, prot, flags, fd, offset)}; returns the address as a
     * zero-length segment, or throws nothing and returns {@code null} with the errno in
     * {@code errno[0]} when it failed. Who unmaps it is the caller's business: jbpf maps only
     * through {@link MapMemory}, which says.
     */
    public static MemorySegment mmap(MemorySegment address, long length, int prot, int flags, int fd, long offset,
            int[] errno) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment mapped = (MemorySegment) Mmap.H.invokeExact(state, address, length, prot, flags, fd, offset);
            if (mapped.address() == -1L) { // MAP_FAILED
                errno[0] = (int) ERRNO.get(state, 0L);
                return null;
            }
            return mapped;
        } catch (Throwable t) {
            throw new AssertionError("mmap", t);
        }
    }

    /** C {@code munmap(address, length)}; returns 0 or the positive errno. */
    public static int munmap(MemorySegment address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Munmap.H.invokeExact(state, address, length);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("munmap", t);
        }
    }

    /** The size of a memory page, {@code sysconf(_SC_PAGESIZE)}. */
    public static long pageSize() {
        try {
            return (long) Sysconf.H.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new AssertionError("sysconf", t);
        }
    }

    /** {@code epoll_create1(EPOLL_CLOEXEC)}: a new epoll fd the caller owns, or the negative errno. */
    public static int epollCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) EpollCreate1.H.invokeExact(state, EPOLL_CLOEXEC);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("epoll_create1", t);
        }
    }

    /** {@code epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {events, data})}; returns 0 or the positive errno. */
    public static int epollAdd(int epfd, int fd, int events, long data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment event = arena.allocate(EPOLL_EVENT_SIZE, 8);
            event.set(ValueLayout.JAVA_INT, 0, events);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_EVENT_DATA, data);
            int result = (int) EpollCtl.H.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, event);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("epoll_ctl", t);
        }
    }

    /**
     * {@code epoll_wait(epfd, events, events.byteSize() / EPOLL_EVENT_SIZE, timeoutMs)}: the
     * number of ready events written to {@code events}, or the negative errno.
     */
    public static int epollWait(int epfd, MemorySegment events, int timeoutMs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) EpollWait.H.invokeExact(state, epfd, events, (int) (events.byteSize() / EPOLL_EVENT_SIZE),
                    timeoutMs);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("epoll_wait", t);
        }
    }

    /** {@code inotify_init1(flags)}: a new inotify fd the caller owns, or the negative errno. */
    public static int inotifyInit(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) InotifyInit1.H.invokeExact(state, flags);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("inotify_init1", t);
        }
    }

    /**
     * {@code inotify_add_watch(fd, path, mask)}: the watch descriptor (the same one again for a
     * path already watched), or the negative errno (ENOSPC: fs.inotify.max_user_watches reached).
     */
    public static int inotifyAddWatch(int fd, String path, int mask) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) InotifyAddWatch.H.invokeExact(state, fd, arena.allocateFrom(path), mask);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("inotify_add_watch", t);
        }
    }

    /** The {@code data} field of the {@code index}-th {@code struct epoll_event} in {@code events}. */
    public static long epollEventData(MemorySegment events, int index) {
        return events.get(ValueLayout.JAVA_LONG_UNALIGNED, index * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
    }
}
