package dev.jbpf.tools.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A finished profile: its stacks with their sample counts, symbolised. A value in the Java
 * heap; owns no native memory.
 *
 * @param event the perf event sampled, e.g. "cpu-clock"
 * @param frequency samples per second and CPU asked for
 * @param duration how long it sampled
 * @param stacks the distinct stacks (by their addresses), most samples first
 * @param samples samples the program took (including those whose stacks were lost)
 * @param dropped samples lost because the counts map was full
 * @param warnings what went wrong while naming frames without failing the profile (e.g. a JVM
 *     that could not write its perf map at the end), one sentence each
 */
public record Profile(String event, long frequency, Duration duration, List<Stack> stacks, long samples, long dropped,
        List<String> warnings) {
    public Profile {
        stacks = List.copyOf(stacks);
        warnings = List.copyOf(warnings);
    }

    /** A profile without warnings. */
    public Profile(String event, long frequency, Duration duration, List<Stack> stacks, long samples, long dropped) {
        this(event, frequency, duration, stacks, samples, dropped, List.of());
    }

    /**
     * What code a frame is, as far as the profiler can tell: the flame graph colours by it
     * ({@link FlameGraph}), folded stacks mark Java and kernel frames with FlameGraph's
     * annotations ({@link #annotation()}), and {@code jbpf profile -j} prints its {@link #id()}.
     */
    public enum FrameKind {
        /** A JIT-compiled Java method, named from the JVM's perf map ("java.lang.String.hashCode"). */
        JAVA("java", "_[j]"),
        /** HotSpot's template interpreter running some Java method (the perf map cannot say which). */
        INTERPRETED("interpreted", ""),
        /**
         * Other generated code a perf map names: HotSpot's stubs, adapters and runtime blobs
         * ("I2C/C2I adapters"), or the functions of a JIT other than HotSpot's.
         */
        STUB("stub", ""),
        /** A C++ function of a native file (libjvm's, say), its name demangled. */
        CPP("cpp", ""),
        /** A function of a native file that is not C++ (C, assembly, or C++ with C linkage). */
        NATIVE("native", ""),
        /** A kernel function (/proc/kallsyms). */
        KERNEL("kernel", "_[k]"),
        /** An address nothing names: "file+0xaddress" in a file without a symbol there, else "0xaddress". */
        UNKNOWN("unknown", "");

        private final String id;
        private final String annotation;

        FrameKind(String id, String annotation) {
            this.id = id;
            this.annotation = annotation;
        }

        /** The kind's lower-case name: "java", "interpreted", "stub", "cpp", "native", "kernel", "unknown". */
        public String id() {
            return id;
        }

        /**
         * The suffix folded stacks give frames of this kind, FlameGraph's own ("_[j]" JIT-compiled
         * Java, "_[k]" kernel; flamegraph.pl --colors=java colours by them), empty for the others.
         */
        public String annotation() {
            return annotation;
        }

        /**
         * The kind a frame of folded stacks has, as far as its text tells: its annotation
         * ("_[j]", "_[k]", and FlameGraph's "_[i]" for inlined Java), "Interpreter", a hex
         * address, C++'s "::"; anything else is native.
         */
        public static FrameKind ofFolded(String frame) {
            if (frame.endsWith("_[j]") || frame.endsWith("_[i]")) {
                return JAVA;
            }
            if (frame.endsWith("_[k]")) {
                return KERNEL;
            }
            if (frame.equals("Interpreter")) {
                return INTERPRETED;
            }
            if (frame.startsWith("0x") || frame.contains("+0x") || frame.startsWith("[")) { // [unknown], [no stack]
                return UNKNOWN;
            }
            return frame.contains("::") ? CPP : NATIVE;
        }

        /** {@code frame} without the annotation {@link #ofFolded} read ("_[j]", "_[k]", "_[i]"). */
        public static String withoutAnnotation(String frame) {
            for (String suffix : List.of("_[j]", "_[k]", "_[i]")) {
                if (frame.endsWith(suffix)) {
                    return frame.substring(0, frame.length() - suffix.length());
                }
            }
            return frame;
        }
    }

    /**
     * One frame of a stack.
     *
     * @param name the function: "JavaHot.spinHotMethod" (Java, from the perf map),
     *     "JavaThread::run()" (C++, demangled), "main", "libjvm.so+0x5a3b1c" (no symbol there),
     *     "0x7f3a12345678" (no mapping or perf map names it), "do_syscall_64" (kernel)
     * @param kind what code it is
     * @param address the address sampled: the instruction pointer for the innermost user and
     *     kernel frame, a return address (the instruction after the call) for the others
     */
    public record Frame(String name, FrameKind kind, long address) {
        public Frame {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }

        /** The frame in folded stacks: its name, ';' (the separator) replaced, with its kind's annotation. */
        public String folded() {
            return name.replace(';', ':').replace('\n', ' ') + kind.annotation();
        }

        /** The address as "0x..." (unsigned: kernel addresses are above 2^63). */
        public String hexAddress() {
            return "0x" + Long.toHexString(address);
        }
    }

    /**
     * One stack and how often it was sampled.
     *
     * @param tgid the process
     * @param comm the thread's name
     * @param frames from the outermost (e.g. main) to the sampled one; kernel frames last
     * @param count samples
     */
    public record Stack(int tgid, String comm, List<Frame> frames, long count) {
        public Stack {
            frames = List.copyOf(frames);
        }

        /** The frames' names, outermost first (no annotations). */
        public List<String> names() {
            return frames.stream().map(Frame::name).toList();
        }

        /** The stack as a folded line's key: "comm;frame;frame", frames annotated ({@link Frame#folded()}). */
        public String folded() {
            StringBuilder text = new StringBuilder(comm);
            for (Frame frame : frames) {
                text.append(';').append(frame.folded());
            }
            return text.toString();
        }
    }

    /** Samples per folded stack ("comm;frame;...;frame"), stacks of equal text added up, sorted by text. */
    public Map<String, Long> folded() {
        Map<String, Long> folded = new TreeMap<>();
        for (Stack stack : stacks) {
            folded.merge(stack.folded(), stack.count(), Long::sum);
        }
        return folded;
    }

    /** The stacks of one process. */
    public List<Stack> ofProcess(int tgid) {
        return stacks.stream().filter(s -> s.tgid() == tgid).toList();
    }

    /** Writes the folded stacks, one "comm;frame;frame count" line each (flamegraph.pl's input). */
    public void writeFolded(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        folded().forEach((stack, count) -> text.append(stack).append(' ').append(count).append('\n'));
        Files.writeString(file, text);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Profile[%s at %d Hz, %d samples, %d stacks]", event, frequency, samples, stacks.size());
    }
}
