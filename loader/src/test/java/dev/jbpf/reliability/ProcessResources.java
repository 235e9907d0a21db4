package dev.jbpf.reliability;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What this process holds: its open fds (by kind) and the bytes malloc has handed out, which
 * covers libbpf's allocations and the JVM's native ones (FFM arenas allocate through malloc).
 */
final class ProcessResources {
    private static final Linker LINKER = Linker.nativeLinker();
    /** glibc's struct mallinfo2: ten size_t fields. */
    private static final MemoryLayout MALLINFO2 = MemoryLayout.structLayout(
            java.util.stream.IntStream.range(0, 10).mapToObj(i -> ValueLayout.JAVA_LONG.withName("f" + i))
                    .toArray(MemoryLayout[]::new));
    private static final MethodHandle MALLINFO2_CALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mallinfo2").orElseThrow(), FunctionDescriptor.of(MALLINFO2));
    private static final int HBLKHD = 4, UORDBLKS = 7;

    private ProcessResources() {
    }

    /** Bytes in use from malloc: chunks handed out (uordblks) plus mmapped chunks (hblkhd), over all arenas. */
    static long mallocInUse() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2_CALL.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            return info.getAtIndex(ValueLayout.JAVA_LONG, UORDBLKS) + info.getAtIndex(ValueLayout.JAVA_LONG, HBLKHD);
        } catch (Throwable t) {
            throw new IllegalStateException("mallinfo2 failed", t);
        }
    }

    /** Count of open fds by kind: "bpf-map", "bpf-prog", "bpf_link", "btf", "[eventpoll]", "perf_event", "file", ... */
    static Map<String, Integer> fdsByKind() {
        Map<String, Integer> kinds = new TreeMap<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : list.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    String kind = target.startsWith("anon_inode:") ? target.substring("anon_inode:".length())
                            : target.startsWith("/") ? "file" : target.replaceAll(":.*", "");
                    kinds.merge(kind, 1, Integer::sum);
                } catch (IOException e) {
                    // the listing's own fd
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd", e);
        }
        return kinds;
    }

    static int fdCount() {
        return fdsByKind().values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The kinds of fd that BPF work creates. */
    static Map<String, Integer> bpfFds() {
        Map<String, Integer> bpf = new TreeMap<>(fdsByKind());
        bpf.keySet().removeIf(kind -> !(kind.startsWith("bpf") || kind.equals("btf") || kind.equals("[eventpoll]")
                || kind.equals("[perf_event]") || kind.equals("perf_event")));
        return bpf;
    }
}
