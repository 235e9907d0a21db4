package dev.jbpf.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's CPU list format, and this machine's online CPUs. */
@UnitTest
class CpusTest {
    @Test
    void parsesRangesAndSingles() {
        assertEquals(List.of(0, 1, 2, 3, 5, 7, 8), Cpus.parseList("0-3,5,7-8\n"));
        assertEquals(List.of(0), Cpus.parseList("0"));
        assertEquals(List.of(), Cpus.parseList("\n"));
        assertThrows(IllegalArgumentException.class, () -> Cpus.parseList("3-1"));
        assertThrows(IllegalArgumentException.class, () -> Cpus.parseList("a"));
    }

    @Test
    void onlineCpusMatchTheJvmsCount() {
        List<Integer> online = Cpus.online();
        assertFalse(online.isEmpty());
        // the JVM counts the CPUs it may run on; online CPUs are at least that many
        assertEquals(true, online.size() >= Runtime.getRuntime().availableProcessors(), online.toString());
    }
}
