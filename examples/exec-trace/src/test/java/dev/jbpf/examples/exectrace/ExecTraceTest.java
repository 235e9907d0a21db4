package dev.jbpf.examples.exectrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.examples.exectrace.bpf.ExecTrace;
import dev.jbpf.ringbuf.RingBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Five execs of /bin/true: five ring buffer records with their pids, and the map's count up by five. */
class ExecTraceTest {
    @Test
    void runsAsAModuleThatSeesOnlyTheLibrarysApi() {
        Module self = ExecTraceTest.class.getModule();
        Module loader = RingBuffer.class.getModule();
        assertEquals("dev.jbpf.examples.exectrace", self.getName(), "this project runs on the module path");
        assertEquals("dev.jbpf.loader", loader.getName());
        assertTrue(loader.isExported("dev.jbpf.ringbuf", self));
        assertFalse(loader.isExported("dev.jbpf.internal", self), "the loader's internals are not API");
    }

    @Test
    void everyExecArrivesAndIsCounted() throws Exception {
        try (ExecTrace trace = ExecTrace.load()) {
            trace.attachAll();
            ExecTrace.ExecKey key = new ExecTrace.ExecKey(0, "true");
            long before = trace.execs().get(key).map(ExecTrace.ExecStats::count).orElse(0L);
            List<ExecTrace.ExecEvent> events = new ArrayList<>();
            Set<Integer> started = new HashSet<>();
            try (RingBuffer ring = trace.events(ExecTrace.ExecEvent.class).subscribe(events::add)) {
                for (int i = 0; i < 5; i++) {
                    Process process = new ProcessBuilder("/bin/true").start();
                    started.add((int) process.pid());
                    assertEquals(0, process.waitFor());
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (ours(events, started).size() < 5 && System.nanoTime() < deadline) {
                    ring.poll(Duration.ofMillis(100));
                }
            }
            List<ExecTrace.ExecEvent> ours = ours(events, started);
            assertEquals(5, ours.size(), "one record per exec we started: " + ours);
            int self = (int) ProcessHandle.current().pid();
            for (ExecTrace.ExecEvent event : ours) {
                assertEquals("/bin/true", event.filename());
                assertEquals(self, event.ppid(), "our children");
            }
            ExecTrace.ExecStats after = trace.execs().get(key).orElseThrow();
            assertEquals(before + 5, after.count(), "the map counted exactly our five execs");
            assertTrue(started.contains(after.lastPid()), "the last pid is one of ours");
            assertTrue(after.firstSeenNs() > 0);
        }
    }

    private static List<ExecTrace.ExecEvent> ours(List<ExecTrace.ExecEvent> events, Set<Integer> pids) {
        // the JDK starts a child through jspawnhelper, which then execs the program: count the program's execs
        return events.stream().filter(e -> pids.contains(e.pid()) && e.comm().equals("true")).toList();
    }
}
