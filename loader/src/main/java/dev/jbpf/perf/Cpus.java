package dev.jbpf.perf;

import dev.jbpf.BpfException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CPUs the kernel has online, read from sysfs. Pure Java; owns no native memory. */
final class Cpus {
    static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private Cpus() {
    }

    /** The online CPUs, ascending. */
    static List<Integer> online() {
        try {
            return parseList(KernelFiles.firstLine(ONLINE));
        } catch (IOException | IllegalArgumentException e) {
            throw new BpfException("read online CPUs", ONLINE.toString(), e.toString(), e);
        }
    }

    /** Parses the kernel's CPU list format, e.g. "0-3,5,7-8\n". */
    static List<Integer> parseList(String text) {
        List<Integer> cpus = new ArrayList<>();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return List.of();
        }
        for (String part : trimmed.split(",")) {
            int dash = part.indexOf('-');
            int first;
            int last;
            try {
                first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CPU list: \"" + trimmed + "\"", e);
            }
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("not a CPU list: \"" + trimmed + "\"");
            }
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return List.copyOf(cpus);
    }
}
