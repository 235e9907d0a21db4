package dev.jbpf.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.RawTracepoint;
import dev.jbpf.link.Tracepoint;
import dev.jbpf.map.BpfMap;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.VmTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Attaching programs, proven by the counters they move in their maps. */
@KernelTest
@VmTest
class AttachTest {
    @Test
    void tracepointAttachedExplicitlyCountsOurOpens() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            BpfMap counts = loaded.map("counts");
            assertEquals(0, KernelEffects.counterOfThisProcess(counts));
            try (BpfLink link = loaded.program("trace_openat").attach(new Tracepoint("syscalls", "sys_enter_openat"))) {
                if (Feature.PERF_EVENT_LINKS.support().available()) {
                    assertTrue(link.isKernelLink());
                    assertTrue(link.fd() > 0);
                    assertTrue(link.id() > 0);
                } else {
                    // before 5.15 libbpf sets the program on the perf event with an ioctl: no BPF link
                    assertFalse(link.isKernelLink());
                    assertTrue(assertThrows(UnsupportedOperationException.class, link::id).getMessage()
                            .contains("PERF_EVENT_IOC_SET_BPF ioctl"), "says why it has no id");
                }
                KernelEffects.openFiles(10);
                assertTrue(KernelEffects.counterOfThisProcess(counts) >= 10);
            }
            long afterDetach = KernelEffects.counterOfThisProcess(counts);
            KernelEffects.openFiles(10);
            assertEquals(afterDetach, KernelEffects.counterOfThisProcess(counts), "closing the link detaches");
        }
    }

    @Test
    void attachBySectionCountsOurGetppidCalls() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfMap hash = loaded.map("hash_map");
            try (BpfLink link = loaded.program("count_getppid").attach()) {
                TestSupport.getppid(7);
                assertEquals(7, KernelEffects.counterOfThisProcess(hash));
            }
        }
    }

    @Test
    void rawTracepointCountsOurSyscalls() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfMap rawCounts = loaded.map("raw_counts");
            try (BpfLink link = loaded.program("count_sys_enter").attach(new RawTracepoint("sys_enter"))) {
                TestSupport.getppid(5);
                long first = KernelEffects.counterOfThisProcess(rawCounts);
                assertTrue(first >= 5, "raw_counts[our pid] = " + first);
                TestSupport.getppid(5);
                assertTrue(KernelEffects.counterOfThisProcess(rawCounts) >= first + 5);
            }
        }
    }

    @Test
    void attachAllAttachesEveryProgramAndTheObjectDetachesThemOnClose() {
        BpfMap hash;
        List<BpfLink> links;
        int rawProgramId;
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            hash = loaded.map("hash_map");
            links = loaded.attachAll();
            assertEquals(2, links.size());
            TestSupport.getppid(3);
            assertEquals(3, KernelEffects.counterOfThisProcess(hash));
            assertTrue(KernelEffects.counterOfThisProcess(loaded.map("raw_counts")) >= 3);
            rawProgramId = loaded.program("count_sys_enter").id();
        }
        assertTrue(links.stream().noneMatch(BpfLink::isOpen), "the object closed its links");
        assertThrows(IllegalStateException.class, () -> links.get(0).fd());
        assertTrue(KernelEffects.eventually(java.time.Duration.ofSeconds(5),
                () -> ProgramInfo.listAll().stream().noneMatch(p -> p.id() == rawProgramId)),
                "detached and unloaded");
    }

    @Test
    void linksClosedBeforeTheObjectAreNotClosedAgain() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("maps")).load()) {
            BpfLink link = loaded.program("count_getppid").attach();
            link.close();
            link.close();
            assertFalse(link.isOpen());
        }
    }

    @Test
    void unknownTracepointIsNotFoundWithLibbpfsWords() {
        try (LoadedObject loaded = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            BpfProgram program = loaded.program("trace_openat");
            BpfNotFoundException e = assertThrows(BpfNotFoundException.class,
                    () -> program.attach(new Tracepoint("syscalls", "no_such_tracepoint")));
            assertTrue(e.getMessage().startsWith("attach program opensnoop/trace_openat to tracepoint "
                    + "syscalls/no_such_tracepoint: No such file or directory (ENOENT): libbpf: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Tracepoint("", "x"));
            assertThrows(NullPointerException.class, () -> new RawTracepoint(null));
            assertThrows(NullPointerException.class, () -> program.attach((AttachPoint) null));
        }
    }
}
