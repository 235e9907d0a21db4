package dev.jbpf.net;

import dev.jbpf.TestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Preconditions of the tests that build network namespaces and cgroups. Test code. */
public final class NetTests {
    private NetTests() {
    }

    /**
     * Skips the calling test, with the reason printed, unless this process may load BPF
     * programs and is root (creating network namespaces, veth pairs and cgroups needs it).
     */
    public static void assumeRoot() {
        TestSupport.assumePrivileged();
        boolean root = uid() == 0;
        if (!root) {
            System.out.println("SKIPPED: needs root to create network namespaces, veth pairs and cgroups");
        }
        Assumptions.assumeTrue(root, "needs root to create network namespaces, veth pairs and cgroups");
    }

    private static int uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]); // effective uid
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }
}
