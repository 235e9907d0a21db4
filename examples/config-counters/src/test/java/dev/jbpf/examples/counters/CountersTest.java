package dev.jbpf.examples.counters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.examples.counters.bpf.Counters;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/**
 * .rodata configures which process is counted, .bss holds what the program counted, .data is
 * changed from Java while the program runs: all through the generated accessors.
 */
class CountersTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    private static MethodHandle libc(String function) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(function).orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    private static final MethodHandle GETPPID = libc("getppid");
    private static final MethodHandle GETPID = libc("getpid");

    private static void call(MethodHandle syscall, int times) throws Throwable {
        for (int i = 0; i < times; i++) {
            int result = (int) syscall.invokeExact();
            assertEquals(true, result > 0);
        }
    }

    private static Counters load(int pid) {
        return Counters.open().cfg(new Counters.Config(pid, true)).load();
    }

    @Test
    void countsExactlyTheCallsOfTheConfiguredProcess() throws Throwable {
        Process other = new ProcessBuilder("sleep", "60").start();
        try (Counters ours = load(SELF); Counters theirs = load((int) other.pid())) {
            assertEquals(new Counters.Config(SELF, true), ours.cfg(), ".rodata as set before load");
            ours.attachAll();
            theirs.attachAll();
            call(GETPPID, 7);
            call(GETPID, 3);
            assertEquals(7, ours.getppidCalls());
            assertArrayEquals(new long[] {7, 3}, ours.callsByKind());
            assertEquals(Counters.SyscallKind.KIND_GETPID, ours.lastKind());
            assertEquals(0, theirs.getppidCalls(), "the other process made no such calls");
            assertArrayEquals(new long[] {0, 0}, theirs.callsByKind());

            ours.increment(10); // .data: the program adds 10 per call from now on
            call(GETPPID, 2);
            assertEquals(7 + 2 * 10, ours.getppidCalls());
            assertEquals(10, ours.increment());
        } finally {
            other.destroy();
        }
    }

    @Test
    void getpidIsNotCountedWhenTheConfigurationSaysSo() throws Throwable {
        try (Counters counters = Counters.open().cfg(new Counters.Config(SELF, false)).load()) {
            counters.attachAll();
            call(GETPID, 5);
            call(GETPPID, 1);
            assertArrayEquals(new long[] {1, 0}, counters.callsByKind());
        }
    }
}
