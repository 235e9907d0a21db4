package dev.jbpf.map;

import dev.jbpf.bindings.BpfConstants;
import dev.jbpf.bindings.perf_event_attr;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** perf_event_open(2) for the tests: a software BPF-output event, the kind a perf event array holds. */
final class PerfEvents {
    private static final long SYS_PERF_EVENT_OPEN = 298; // x86_64
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    // long syscall(long number, ...): every variadic argument passed as a long, as the kernel reads them
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private PerfEvents() {
    }

    /** Opens a PERF_COUNT_SW_BPF_OUTPUT event on cpu for every process; the caller closes the fd. */
    static int openBpfOutput(int cpu) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.type(attr, BpfConstants.PERF_TYPE_SOFTWARE);
            perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
            perf_event_attr.config(attr, BpfConstants.PERF_COUNT_SW_BPF_OUTPUT);
            perf_event_attr.sample_type(attr, BpfConstants.PERF_SAMPLE_RAW);
            perf_event_attr.wakeup_events(attr, 1);
            MemorySegment state = arena.allocate(STATE);
            long fd = (long) SYSCALL.invokeExact(state, SYS_PERF_EVENT_OPEN, attr, -1L, (long) cpu, -1L,
                    (long) BpfConstants.PERF_FLAG_FD_CLOEXEC);
            if (fd < 0) {
                throw new AssertionError("perf_event_open failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return (int) fd;
        }
    }
}
