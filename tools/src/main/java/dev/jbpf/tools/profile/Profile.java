package dev.jbpf.tools.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A finished profile: its stacks with their sample counts, symbolised. A value in the Java
 * heap; owns no native memory.
 *
 * @param event the perf event sampled, e.g. "cpu-clock"
 * @param frequency samples per second and CPU asked for
 * @param duration how long it sampled
 * @param stacks the distinct stacks, most samples first
 * @param samples samples the program took (including those whose stacks were lost)
 * @param dropped samples lost because the counts map was full
 */
public record Profile(String event, long frequency, Duration duration, List<Stack> stacks, long samples, long dropped) {
    public Profile {
        stacks = List.copyOf(stacks);
    }

    /**
     * One stack and how often it was sampled.
     *
     * @param tgid the process
     * @param comm the thread's name
     * @param frames function names from the outermost (e.g. main) to the sampled one; kernel
     *     functions last, marked "_[k]" as flame graphs mark them
     * @param count samples
     */
    public record Stack(int tgid, String comm, List<String> frames, long count) {
        public Stack {
            frames = List.copyOf(frames);
        }

        /** The stack as a folded line's key: "comm;frame;frame". */
        public String folded() {
            return frames.isEmpty() ? comm : comm + ";" + String.join(";", frames);
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
}
