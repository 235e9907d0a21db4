package dev.jbpf;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.btf.Btf;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.Owner;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A BPF object loaded into the kernel: its programs, ready to attach, and its maps.
 *
 * <p>Native memory: owns the libbpf {@code struct bpf_object} (and through it every program
 * and map fd) and the shared {@link Arena} that {@link OpenedObject} handed over. Its
 * {@link BpfProgram}s and {@link BpfMap}s point into it and own nothing. Links made through
 * its programs are registered with it: {@link #close()} closes those still open — detaching
 * them unless pinned — then {@code bpf_object__close}, which unloads the programs and maps that
 * nothing else (a pin, a link, another process's fd) keeps in the kernel. After close every
 * method, including those of its programs and maps, throws IllegalStateException. It may be
 * closed while other threads use its programs and maps: the close waits for calls in
 * progress (a map lookup, an attach) to return, and calls after it throw
 * IllegalStateException ("object 'NAME' is closed"); it never frees memory or fds a call is
 * using.
 *
 * <p>When it is made, the memory libbpf keeps for each mmapable data section (.data, .bss,
 * .rodata, ...) is mapped onto the kernel map itself, at the same address and size (see
 * {@link GlobalVariables}); libbpf unmaps it in {@code bpf_object__close}, so the object stays
 * its only owner. Its {@link #btf()} is borrowed from the native object, too.
 */
public final class LoadedObject implements AutoCloseable {
    private final MemorySegment object;
    private final Arena arena;
    private final String name;
    private final Owner state;
    private final List<BpfProgram> programs = new ArrayList<>();
    private final List<BpfMap> maps = new ArrayList<>();
    private Btf btf;
    private GlobalVariables globals;

    LoadedObject(MemorySegment object, Arena arena, String name) {
        this.object = object;
        this.arena = arena;
        this.name = name;
        this.state = new Owner("object '" + name + "'");
        DataSectionMemory.remap(object, name); // global variables read and write the kernel's memory
        for (MemorySegment program : ObjectPointers.programs(object)) {
            programs.add(Access.programs().loaded(program, name, state));
        }
        for (MemorySegment map : ObjectPointers.maps(object)) {
            maps.add(Access.maps().ofObjectMap(map, state));
        }
    }

    public String name() {
        state.ensureOpen();
        return name;
    }

    /** Its programs in ELF order, including those not loaded (autoload off). */
    public List<BpfProgram> programs() {
        state.ensureOpen();
        return List.copyOf(programs);
    }

    /** The program called {@code name}; BpfNotFoundException (listing the names) when none is. */
    public BpfProgram program(String name) {
        state.ensureOpen();
        return BpfObject.byName(programs, BpfProgram::name, name, "program", this.name);
    }

    /** Its maps in ELF order (including the internal .bss/.data/.rodata maps); owned by this object. */
    public List<BpfMap> maps() {
        state.ensureOpen();
        return List.copyOf(maps);
    }

    /** The map called {@code name}; BpfNotFoundException (listing the names) when none is. */
    public BpfMap map(String name) {
        state.ensureOpen();
        return BpfObject.byName(maps, BpfMap::name, name, "map", this.name);
    }

    /**
     * The object's own BTF, borrowed: owned by this object, usable until it is closed (then
     * IllegalStateException; closing the returned Btf does nothing). Bind records to its structs
     * with {@link dev.jbpf.btf.BtfRecordCodec}. BpfNotFoundException when the object has no BTF
     * (compiled without -g).
     */
    public synchronized Btf btf() {
        state.ensureOpen();
        Btf own = btfOrNull();
        if (own == null) {
            throw new BpfNotFoundException("get BTF of", name, "the object has no BTF (compile it with -g)");
        }
        return own;
    }

    private Btf btfOrNull() {
        if (btf == null) {
            btf = ObjectPointers.btf(object, state::ensureOpen).orElse(null);
        }
        return btf;
    }

    /**
     * Its global variables, live: reads see what the BPF programs wrote, writes to
     * {@code .data}, {@code .bss} and custom {@code .data.*} sections reach the kernel's map
     * memory at once; {@code .rodata} is read-only after load. Owned by this object: after
     * {@link #close()} its methods throw IllegalStateException. See {@link GlobalVariables}.
     */
    public synchronized GlobalVariables globals() {
        state.ensureOpen();
        if (globals == null) {
            globals = GlobalVariables.of(object, name, btfOrNull(), true, state);
        }
        return globals;
    }

    /**
     * Attaches every loaded program where its section says ({@code bpf_program__attach}), in
     * ELF order; the links are owned by the caller and by this object (see {@link #close()}).
     * All or nothing: when one attach fails (e.g. a section without an attach point, such as
     * plain "tracepoint"), the links made so far are closed and the failure thrown.
     */
    public List<BpfLink> attachAll() {
        state.ensureOpen();
        List<BpfLink> links = new ArrayList<>();
        try {
            for (BpfProgram program : programs) {
                if (program.isLoaded()) {
                    links.add(program.attach());
                }
            }
        } catch (RuntimeException e) {
            links.forEach(BpfLink::close);
            throw e;
        }
        return List.copyOf(links);
    }

    /** Closes the links made through this object, then the object; closing twice does nothing. */
    @Override
    public void close() {
        if (!state.isOpen()) {
            return;
        }
        RuntimeException failure = null;
        try {
            if (!state.close()) {
                return; // another thread closed it meanwhile
            }
        } catch (RuntimeException e) {
            if (state.isOpen()) {
                throw e; // not closed: e.g. called from inside one of its own operations
            }
            failure = e; // closed, but a link failed to close: free the object all the same
        }
        // no other thread is inside a use() of this object now, and none can enter one
        LibBpf.bpf_object__close(object);
        arena.close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "LoadedObject[" + name + (state.isOpen() ? "" : ", closed") + "]";
    }
}
