package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A raw tracepoint by name, e.g. {@code new RawTracepoint("sys_enter")}: the program sees the
 * tracepoint's raw arguments. Holds no native memory.
 */
public record RawTracepoint(String name) implements AttachPoint {
    public RawTracepoint {
        AttachPoints.requireName(name, "raw tracepoint name");
    }

    @Override
    public String describe() {
        return "raw tracepoint " + name;
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_raw_tracepoint(program, arena.allocateFrom(name)));
    }
}
