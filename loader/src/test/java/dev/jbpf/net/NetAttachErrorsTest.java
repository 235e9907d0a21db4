package dev.jbpf.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.Cgroup;
import dev.jbpf.link.Tc;
import dev.jbpf.link.Xdp;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What goes wrong attaching networking programs is said with names, before or by the kernel. */
@KernelTest
class NetAttachErrorsTest {
    private static final String NO_SUCH_INTERFACE = "jbpf-nosuch" + ProcessHandle.current().pid() % 1000;
    private LoadedObject net;

    @BeforeEach
    void load() {
        net = BpfObject.open(TestSupport.bpfObject("net")).load();
    }

    @AfterEach
    void close() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void unknownInterfaceIsNamed() {
        BpfNotFoundException xdp = assertThrows(BpfNotFoundException.class,
                () -> net.program("xdp_count").attach(new Xdp(NO_SUCH_INTERFACE)));
        assertTrue(xdp.getMessage().contains(NO_SUCH_INTERFACE), xdp.getMessage());
        BpfNotFoundException tc = assertThrows(BpfNotFoundException.class,
                () -> net.program("tc_ingress_count").attach(new Tc(NO_SUCH_INTERFACE, Tc.Direction.EGRESS)));
        assertTrue(tc.getMessage().contains(NO_SUCH_INTERFACE), tc.getMessage());
    }

    @Test
    void unknownInterfaceIndexIsRefusedByTheKernelWithNames() {
        BpfException error = assertThrows(BpfException.class,
                () -> net.program("xdp_count").attach(new Xdp(Integer.MAX_VALUE)));
        // the kernel's errno for it (EINVAL: no such device for the link) and the names
        assertTrue(error.errno() > 0, error.getMessage());
        assertTrue(error.getMessage().startsWith("attach program net/xdp_count to xdp on ifindex " + Integer.MAX_VALUE),
                error.getMessage());
    }

    @Test
    void missingCgroupIsNamed() {
        Path missing = Path.of("/sys/fs/cgroup/jbpf-no-such-cgroup-" + ProcessHandle.current().pid());
        BpfNotFoundException error = assertThrows(BpfNotFoundException.class,
                () -> net.program("cgroup_ingress_count").attach(new Cgroup(missing)));
        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }

    @Test
    void directoryThatIsNoCgroupIsRefusedBeforeTheKernel() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> net.program("cgroup_ingress_count").attach(new Cgroup(Path.of("/proc/self"))));
        assertEquals("cannot attach program cgroup_ingress_count to cgroup /proc/self: /proc/self is not a cgroup v2"
                + " directory (it is on proc); BPF programs attach to cgroup v2 only", error.getMessage());
    }

    @Test
    void wrongProgramTypeNamesProgramTypeAndPoint() {
        IllegalArgumentException xdpAsTc = assertThrows(IllegalArgumentException.class,
                () -> net.program("xdp_count").attach(new Tc("lo", Tc.Direction.INGRESS)));
        assertEquals("cannot attach program xdp_count to tc ingress of lo: its type is xdp;"
                + " TC needs a classifier program (SEC(\"tc\") or SEC(\"tcx/ingress\"), SEC(\"tcx/egress\"))",
                xdpAsTc.getMessage());
        IllegalArgumentException tcAsXdp = assertThrows(IllegalArgumentException.class,
                () -> net.program("tc_ingress_count").attach(new Xdp("lo")));
        assertTrue(tcAsXdp.getMessage().contains("its type is sched_cls"), tcAsXdp.getMessage());
        IllegalArgumentException xdpOnCgroup = assertThrows(IllegalArgumentException.class,
                () -> net.program("xdp_count").attach(new Cgroup(Path.of("/sys/fs/cgroup"))));
        assertTrue(xdpOnCgroup.getMessage().contains("a cgroup needs a cgroup program"), xdpOnCgroup.getMessage());
    }

    @Test
    void sectionsWithoutATargetCannotAutoAttachAndTheHintSaysWhatTo() {
        for (String name : new String[] {"xdp_count", "tc_ingress_count", "tc_egress_count", "cgroup_ingress_count",
                "deny_socket_create"}) {
            BpfProgram program = net.program(name);
            BpfException error = assertThrows(BpfException.class, program::attach);
            assertEquals("EOPNOTSUPP", error.errnoName(), error.getMessage());
            String hint = AttachPoint.explicitAttachHint(program.section()).orElseThrow();
            assertTrue(hint.contains("attach(new "), hint);
        }
    }
}
