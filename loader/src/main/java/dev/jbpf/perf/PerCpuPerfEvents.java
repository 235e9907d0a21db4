package dev.jbpf.perf;

import dev.jbpf.link.BpfLink;
import dev.jbpf.link.PerfEventAttach;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * One {@link PerfEvent} per online CPU, made by {@link PerfEvent.Builder#openOnEveryCpu()}:
 * the usual shape for system-wide counting or sampling.
 *
 * <p><b>Native resources.</b> Owns its events (their fds) and closes them all in {@link
 * #close()}. Links made by {@link #attach} belong to the caller (and to the program's
 * object), not to this object. After close every method throws {@link IllegalStateException}.
 */
public final class PerCpuPerfEvents implements AutoCloseable {
    private final List<PerfEvent> events;
    private boolean closed;

    PerCpuPerfEvents(List<PerfEvent> events) {
        this.events = List.copyOf(events);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("per-CPU perf events " + describe() + " are closed");
        }
    }

    private String describe() {
        return events.isEmpty() ? "(none)" : events.get(0).type().description();
    }

    /** The events, one per online CPU, in CPU order. */
    public List<PerfEvent> events() {
        checkOpen();
        return events;
    }

    /** The CPUs with an event, ascending. */
    public List<Integer> cpus() {
        checkOpen();
        return events.stream().map(PerfEvent::cpu).toList();
    }

    /**
     * The event on {@code cpu}.
     *
     * @throws IllegalArgumentException when there is none (the CPU was not online)
     */
    public PerfEvent onCpu(int cpu) {
        checkOpen();
        return events.stream().filter(e -> e.cpu() == cpu).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no event on cpu " + cpu + " (events on CPUs " + cpus() + ")"));
    }

    /** Enables every event. */
    public void enable() {
        events().forEach(PerfEvent::enable);
    }

    /** Disables every event. */
    public void disable() {
        events().forEach(PerfEvent::disable);
    }

    /** Resets every counter to 0. */
    public void reset() {
        events().forEach(PerfEvent::reset);
    }

    /** Every event's reading, by CPU (ascending). */
    public Map<Integer, PerfCount> read() {
        Map<Integer, PerfCount> counts = new TreeMap<>();
        for (PerfEvent event : events()) {
            counts.put(event.cpu(), event.read());
        }
        return Collections.unmodifiableMap(counts);
    }

    /**
     * Stores each event's fd at index = its CPU of a {@code PERF_EVENT_ARRAY} map, for BPF
     * programs calling {@code bpf_perf_event_read_value(&map, BPF_F_CURRENT_CPU, ...)}.
     */
    public void putInto(BpfMap perfEventArray) {
        for (PerfEvent event : events()) {
            event.putInto(perfEventArray, event.cpu());
        }
    }

    /** {@link #attach(BpfProgram, IntToLongFunction)} with no cookies (0). */
    public List<BpfLink> attach(BpfProgram program) {
        return attach(program, cpu -> 0);
    }

    /**
     * Attaches a {@code SEC("perf_event")} program to every event (a tracepoint program can
     * attach to one tracepoint event only, see {@link PerfEventAttach}), each with the cookie
     * {@code cookieOfCpu} gives for its CPU
     * ({@code bpf_get_attach_cookie}). All or nothing: when one attach fails, the links made
     * so far are closed. The links are owned by the caller, as those of {@code
     * BpfProgram.attach}; see {@link PerfEventAttach} for what closing them does.
     */
    public List<BpfLink> attach(BpfProgram program, IntToLongFunction cookieOfCpu) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(cookieOfCpu, "cookieOfCpu");
        List<BpfLink> links = new ArrayList<>();
        try {
            for (PerfEvent event : events()) {
                links.add(program.attach(new PerfEventAttach(event, cookieOfCpu.applyAsLong(event.cpu()))));
            }
        } catch (RuntimeException | Error e) {
            for (BpfLink link : links) {
                link.close();
            }
            throw e;
        }
        return List.copyOf(links);
    }

    /** Closes every event. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PerfEvent event : events) {
            event.close();
        }
    }

    @Override
    public String toString() {
        return "PerCpuPerfEvents[" + describe() + ", " + events.size() + " CPUs" + (closed ? ", closed]" : "]");
    }
}
