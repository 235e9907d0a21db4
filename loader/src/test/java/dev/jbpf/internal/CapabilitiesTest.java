package dev.jbpf.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What an EPERM means for each set of capabilities, kernel and RLIMIT_MEMLOCK. The real
 * refusals are in the CLI's PrivilegesTest; these are the situations this machine cannot be
 * in (kernels before 5.11, which charge BPF memory to RLIMIT_MEMLOCK).
 */
@UnitTest
class CapabilitiesTest {
    private static final long NONE = 0, BPF = 1L << Capabilities.CAP_BPF, PERFMON = 1L << Capabilities.CAP_PERFMON,
            ADMIN = 1L << Capabilities.CAP_SYS_ADMIN, NET_ADMIN = 1L << Capabilities.CAP_NET_ADMIN;
    private static final long UNLIMITED = Long.MAX_VALUE;

    /** memlock: RLIMIT_MEMLOCK where the kernel charges it (the MEMCG_ACCOUNTING probe said no); -1 where it does not. */
    @ParameterizedTest(name = "caps {0}, {1} {2}, kernel {3}, memlock {4}: {5}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "none        | load object       | maps         | 6.18.0 | -1    | needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)",
        "bpf         | load object       | maps         | 6.18.0 | -1    | needs CAP_PERFMON besides CAP_BPF",
        "bpf,perfmon | list maps         | ''           | 6.18.0 | -1    | needs CAP_SYS_ADMIN",
        "bpf,perfmon | open program      | id 7         | 6.18.0 | -1    | needs CAP_SYS_ADMIN",
        "none        | open map by id    | 7            | 6.18.0 | -1    | needs CAP_SYS_ADMIN",
        "bpf,perfmon | attach program    | xdp/eth0     | 6.18.0 | -1    | CAP_NET_ADMIN",
        "bpf,perfmon,net | attach program | xdp/eth0    | 6.18.0 | -1    | null",
        "admin       | load object       | maps         | 6.18.0 | -1    | null",
        "admin       | load object       | maps         | 5.10.0 | 65536 | RLIMIT_MEMLOCK, which is 64 KiB",
        "admin       | create map        | counts       | 4.19.0-26-amd64 | 0 | ulimit -l unlimited",
        "admin       | create map        | counts       | 5.10.0 | -1    | null",
    })
    void hintFor(String caps, String operation, String target, String release, long memlock, String expected) {
        long set = 0;
        for (String cap : caps.split(",")) {
            set |= switch (cap.strip()) {
                case "bpf" -> BPF;
                case "perfmon" -> PERFMON;
                case "admin" -> ADMIN;
                case "net" -> NET_ADMIN;
                default -> NONE;
            };
        }
        String hint = Capabilities.denialHint(set, operation, target, release, memlock < 0 ? UNLIMITED : memlock);
        if (expected == null) {
            assertNull(hint);
        } else {
            assertTrue(hint != null && hint.contains(expected), () -> "expected '" + expected + "' in " + hint);
            assertFalse(hint.contains("\n"), "one line");
        }
    }
}
