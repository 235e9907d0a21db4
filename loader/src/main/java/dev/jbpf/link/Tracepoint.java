package dev.jbpf.link;

import dev.jbpf.bindings.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A kernel tracepoint, {@code category/name} as under /sys/kernel/tracing/events, e.g.
 * {@code new Tracepoint("syscalls", "sys_enter_openat")}. Holds no native memory.
 */
public record Tracepoint(String category, String name) implements AttachPoint {
    public Tracepoint {
        AttachPoints.requireName(category, "tracepoint category");
        AttachPoints.requireName(name, "tracepoint name");
    }

    @Override
    public String describe() {
        return "tracepoint " + category + "/" + name;
    }

    BpfLink attach(AttachRequest request) {
        MemorySegment program = request.program();
        Arena arena = request.arena();
        return request.libbpfLink(() -> LibBpf.bpf_program__attach_tracepoint(program, arena.allocateFrom(category), arena.allocateFrom(name)));
    }
}
