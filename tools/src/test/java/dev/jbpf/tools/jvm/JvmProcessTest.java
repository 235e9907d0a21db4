package dev.jbpf.tools.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.elf.ElfFile;
import dev.jbpf.testing.UnitTest;
import dev.jbpf.tools.testing.JvmChild;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * {@link JvmProcess}: a JVM of each JDK is found with its libjvm.so and probes, its flags read
 * from its memory agree with what jcmd says, and a process that is not a JVM (or none) is one
 * clear error.
 */
class JvmProcessTest {
    static final List<Integer> JDKS = JvmChild.JDKS;

    @ParameterizedTest(name = "JDK {0}")
    @FieldSource("JDKS")
    @UnitTest
    void findsTheJvmAndReadsItsFlagsAsJcmdDoes(int jdk) throws Exception {
        Path home = JvmChild.requireJdk(jdk);
        try (JvmChild child = JvmChild.start(home, List.of("-Xmx64m", "-XX:+DTraceMonitorProbes"), "wait")) {
            JvmProcess jvm = JvmProcess.of(child.pid());
            assertEquals(home.toRealPath().resolve("lib/server/libjvm.so"), jvm.libjvm());
            assertEquals(home.toRealPath(), jvm.javaHome());
            assertTrue(jvm.javaVersion().orElseThrow().startsWith(jdk + "."), jvm::describe);
            assertTrue(jvm.probes().stream().anyMatch(probe -> probe.name().equals("gc__begin")), jvm::toString);
            assertTrue(jvm.isAlive());
            ElfFile libjvm = ElfFile.read(jvm.libjvmFile());
            for (String flag : List.of("DTraceMonitorProbes", "DTraceAllocProbes", "UseCompressedOops", "NoSuchFlagAnywhere")) {
                Optional<Boolean> memory = JvmFlags.fromMemory(jvm, libjvm, flag);
                assertEquals(JvmFlags.fromJcmd(jvm, flag), memory, flag);
                assertEquals(memory, jvm.booleanFlag(flag), flag);
            }
            assertEquals(Optional.of(true), jvm.booleanFlag("DTraceMonitorProbes"));
            assertEquals(Optional.of(false), jvm.booleanFlag("DTraceAllocProbes"));
            assertEquals(Optional.empty(), jvm.booleanFlag("NoSuchFlagAnywhere"));
            child.go();
            child.endInput();
            child.finish();
            assertFalse(jvm.isAlive(), "after its exit");
            // what of() read stays, though the JVM's file system went with it
            assertEquals("process " + child.pid() + " (java, JDK " + jvm.javaVersion().orElseThrow() + ")", jvm.describe());
            assertEquals(jdk, jvm.featureVersion().orElseThrow());
        }
    }

    @Test
    @UnitTest
    void aProcessThatIsNotAJvmIsOneClearError() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JvmProcess.of((int) sleep.pid()));
            assertEquals("process " + sleep.pid() + " (sleep) is not a JVM: no libjvm.so in /proc/" + sleep.pid() + "/maps",
                    e.getMessage());
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    @UnitTest
    void aProcessThatDoesNotExistIsOneClearError() throws IOException {
        int pid = unusedPid();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JvmProcess.of(pid));
        assertEquals("no process " + pid, e.getMessage());
        assertEquals("a process id is positive, not 0",
                assertThrows(IllegalArgumentException.class, () -> JvmProcess.of(0)).getMessage());
    }

    @Test
    @UnitTest
    void aKernelThreadIsNotAJvm() {
        // kthreadd: pid 2 on every Linux
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JvmProcess.of(2));
        assertEquals("process 2 (kthreadd) is not a JVM: it has no memory map (a kernel thread, or a process that has exited)",
                e.getMessage());
    }

    /**
     * A "JVM" whose libjvm.so has no USDT probes (a copy of libm, preloaded into sleep, as a JDK
     * built without DTrace support would look): attach says so before loading anything, and a
     * flag it cannot read (no symbol table, no jcmd beside it) is an error saying why.
     */
    @Test
    @UnitTest
    void aLibjvmWithoutProbesIsSaidSo(@TempDir Path temp) throws Exception {
        Path libm = Path.of("/lib/x86_64-linux-gnu/libm.so.6");
        if (!Files.isRegularFile(libm)) {
            dev.jbpf.testing.TracingSupport.skip("no " + libm + " to make a libjvm.so without probes of");
        }
        Path fake = temp.resolve("jdk/lib/server/libjvm.so");
        Files.createDirectories(fake.getParent());
        Files.copy(libm, fake);
        ProcessBuilder builder = new ProcessBuilder("sleep", "60");
        builder.environment().put("LD_PRELOAD", fake.toString());
        Process sleep = builder.start();
        try {
            JvmProcess jvm = null;
            for (long deadline = System.nanoTime() + 10_000_000_000L; jvm == null; ) {
                try {
                    jvm = JvmProcess.of((int) sleep.pid());
                } catch (IllegalArgumentException notYet) {
                    // the dynamic linker has not mapped the library yet: sleep is still being exec'd
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.onSpinWait();
                }
            }
            JvmProcess target = jvm;
            assertEquals(fake.toRealPath(), target.libjvm());
            assertEquals(List.of(), target.probes());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> JvmGcEvents.attach(target));
            assertEquals("the JVM of process " + sleep.pid() + " (sleep) has no HotSpot USDT probes: its libjvm.so ("
                    + fake.toRealPath() + ") was built without DTrace support (configure --enable-dtrace)", e.getMessage());
            IllegalStateException flag = assertThrows(IllegalStateException.class, () -> JvmAllocations.attach(target));
            // and no jcmd may knock: SIGQUIT would kill a process that has no handler for it
            assertEquals("cannot tell whether process " + sleep.pid() + " (sleep) runs with -XX:+DTraceAllocProbes: "
                    + fake.toRealPath() + " has no symbol table, and jcmd " + sleep.pid() + " VM.flags -all cannot ask process "
                    + sleep.pid() + " (sleep): it does not catch SIGQUIT, with which jcmd starts the JVM's attach listener (a"
                    + " JVM started with -Xrs, or no running HotSpot)", flag.getMessage());
            assertTrue(sleep.isAlive());
            // a libjvm.so replaced under the running process (a JDK update): its probes are gone
            String path = fake.toRealPath().toString();
            Files.delete(fake);
            IllegalStateException deleted = assertThrows(IllegalStateException.class, () -> JvmProcess.of((int) sleep.pid()));
            assertEquals("process " + sleep.pid() + " (sleep) runs a libjvm.so that was deleted since it started (" + path
                    + ", a JDK updated under it?): its probes cannot be attached; restart the JVM", deleted.getMessage());
        } finally {
            sleep.destroyForcibly();
        }
    }

    /** A pid above pid_max: no process can have it. */
    static int unusedPid() throws IOException {
        // readAllLines: Files.readString reads a sysctl file in pieces, and the kernel answers the second with nothing
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip()) + 1;
    }
}
