package dev.jbpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's effective capabilities, as /proc/self/status reports them. Not API. */
public final class Capabilities {
    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private Capabilities() {
    }

    /** True when this process may load BPF programs: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON. */
    public static boolean canLoadBpf() {
        long caps = effective();
        return has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
    }

    private static boolean has(long caps, int capability) {
        return (caps & (1L << capability)) != 0;
    }

    private static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
