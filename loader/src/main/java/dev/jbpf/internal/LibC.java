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
 * reads, network interface indexes), bound once through the native linker's default lookup.
 * Not API. Owns no native memory: every call allocates its scratch memory in a confined arena
 * closed before the call returns.
 */
public final class LibC {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle VSNPRINTF = downcall("vsnprintf", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle MOUNT = downcall("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final int CLOCK_BOOTTIME = 7;
    // syscall(2), ioctl(2) and fcntl(2) are variadic in C: the linker must be told where the "..." starts
    private static final MethodHandle SYSCALL_PERF_EVENT_OPEN = downcall("syscall", FunctionDescriptor.of(
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = downcall("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS), CAPTURE_ERRNO);
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
            return (int) VSNPRINTF.invokeExact(buffer, buffer.byteSize(), format, vaList);
        } catch (Throwable t) {
            throw new AssertionError("vsnprintf", t);
        }
    }

    /** C {@code close}; returns 0, or the positive errno when the close failed. */
    public static int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) CLOSE.invokeExact(state, fd);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("close", t);
        }
    }

    /** C {@code mount(source, target, type, 0, NULL)}; returns 0 or the positive errno. */
    public static int mount(String source, String target, String type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(type), 0L, MemorySegment.NULL);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("mount", t);
        }
    }

    /**
     * C {@code open(path, flags)} (no O_CREAT, so no mode); returns the new fd, which the
     * caller owns (see {@link Fd#adopt}), or minus the errno when it failed.
     */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
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
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(name));
            return index > 0 ? index : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("if_nametoindex", t);
        }
    }

    /** Nanoseconds since boot (CLOCK_BOOTTIME), the clock of {@code bpf_prog_info.load_time}. */
    public static long bootTimeNanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8); // struct timespec { long tv_sec; long tv_nsec; }
            int result = (int) CLOCK_GETTIME.invokeExact(CLOCK_BOOTTIME, timespec);
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
            long result = (long) SYSCALL_PERF_EVENT_OPEN.invokeExact(state, perfEventOpenNumber(), attr, pid, cpu,
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
            int result = (int) IOCTL.invokeExact(state, fd, request, arg);
            return result >= 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("ioctl", t);
        }
    }

    /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: a new close-on-exec fd for the same file, or the negative errno. */
    public static int dupCloexec(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) FCNTL.invokeExact(state, fd, F_DUPFD_CLOEXEC, 0);
            return result >= 0 ? result : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("fcntl", t);
        }
    }

    /** C {@code read(fd, buffer, buffer.byteSize())}; returns the bytes read, or the negative errno. */
    public static long read(int fd, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long result = (long) READ.invokeExact(state, fd, buffer, buffer.byteSize());
            return result >= 0 ? result : -(long) (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new AssertionError("read", t);
        }
    }
}
