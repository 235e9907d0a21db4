package dev.jbpf;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_object_open_opts;
import dev.jbpf.btf.Btf;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.internal.LibBpfLog;
import dev.jbpf.internal.Owner;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.program.OpenedProgram;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A BPF object opened but not loaded: inspect and configure its programs and maps, then
 * {@link #load()} it.
 *
 * <p>Native memory: owns the libbpf {@code struct bpf_object} and a shared {@link Arena} for
 * what libbpf keeps pointers to (the ELF bytes of {@link BpfObject#open(byte[], String)}, the
 * verifier log buffers). {@link #load()} hands both to the {@link LoadedObject} it returns;
 * {@link #close()} frees them when the object was not loaded. Either way this object is closed
 * afterwards: every method throws IllegalStateException. Not thread-safe.
 */
public final class OpenedObject implements AutoCloseable {
    /** Verifier log buffer per program unless {@link #verifierLogSize} says otherwise. */
    static final int DEFAULT_VERIFIER_LOG_SIZE = 1 << 20;
    /** The kernel refuses verifier log buffers smaller than this (and larger than UINT_MAX >> 2). */
    private static final int MIN_VERIFIER_LOG_SIZE = 128;

    private final MemorySegment object;
    private final Arena arena;
    private final String name;
    private final Owner state;
    private final List<MemorySegment> programPointers;
    private final List<OpenedProgram> programs = new ArrayList<>();
    private final List<OpenedMap> maps = new ArrayList<>();
    private int verifierLogSize = DEFAULT_VERIFIER_LOG_SIZE;
    private Btf btf;
    private GlobalVariables globals;

    private OpenedObject(MemorySegment object, Arena arena) {
        this.object = object;
        this.arena = arena;
        this.name = LibBpfCall.string(LibBpf.bpf_object__name(object));
        this.state = new Owner("object '" + name + "'");
        this.programPointers = ObjectPointers.programs(object);
        for (MemorySegment program : programPointers) {
            programs.add(Access.programs().opened(program, state::ensureOpen));
        }
        for (MemorySegment map : ObjectPointers.maps(object)) {
            maps.add(Access.maps().opened(map, state::ensureOpen));
        }
    }

    static OpenedObject openFile(Path path) {
        return open(path.toString(), (arena, opts) -> {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            return LibBpfCall.checkNonNull("open object", path.toString(),
                    () -> LibBpf.bpf_object__open_file(cPath, opts));
        });
    }

    static OpenedObject openMemory(byte[] elf, String name) {
        return open(name, (arena, opts) -> {
            // libbpf reads the ELF from this buffer for the object's whole life: it must live in the arena
            MemorySegment bytes = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, bytes, ValueLayout.JAVA_BYTE, 0, elf.length);
            bpf_object_open_opts.object_name(opts, arena.allocateFrom(name));
            return LibBpfCall.checkNonNull("open object", name,
                    () -> LibBpf.bpf_object__open_mem(bytes, elf.length, opts));
        });
    }

    /** Makes the arena and the options, runs the libbpf open call; frees the arena if it fails. */
    private static OpenedObject open(String target, BiFunction<Arena, MemorySegment, MemorySegment> openCall) {
        Arena arena = Arena.ofShared(); // shared: libbpf may call back from other threads (ring buffers)
        try {
            MemorySegment opts = bpf_object_open_opts.allocate(arena);
            bpf_object_open_opts.sz(opts, bpf_object_open_opts.sizeof()); // libbpf rejects opts without sz
            MemorySegment object = openCall.apply(arena, opts);
            try {
                return new OpenedObject(object, arena);
            } catch (RuntimeException | Error e) {
                LibBpf.bpf_object__close(object);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The object's name: the file name up to its first dot, or the name given to open(). */
    public String name() {
        state.ensureOpen();
        return name;
    }

    /** Its programs, in ELF order. */
    public List<OpenedProgram> programs() {
        state.ensureOpen();
        return List.copyOf(programs);
    }

    /** The program called {@code name}; BpfNotFoundException (listing the names) when none is. */
    public OpenedProgram program(String name) {
        state.ensureOpen();
        return BpfObject.byName(programs, OpenedProgram::name, name, "program", this.name);
    }

    /** Its maps, in ELF order (including the internal .bss/.data/.rodata maps). */
    public List<OpenedMap> maps() {
        state.ensureOpen();
        return List.copyOf(maps);
    }

    /** The map called {@code name}; BpfNotFoundException (listing the names) when none is. */
    public OpenedMap map(String name) {
        state.ensureOpen();
        return BpfObject.byName(maps, OpenedMap::name, name, "map", this.name);
    }

    /**
     * The object's own BTF (its .BTF section as libbpf fixed it up when opening), borrowed:
     * owned by this object, usable until it is loaded or closed (then IllegalStateException;
     * {@link LoadedObject#btf()} gives it after load). BpfNotFoundException when the object has
     * no BTF (compiled without -g).
     */
    public Btf btf() {
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
     * Its global variables before load, to read and set their initial values by name
     * ({@code globals().setInt("target_pid", pid)}): {@code .rodata} (the usual place for
     * configuration, {@code const volatile}), {@code .data}, {@code .bss} and custom data
     * sections. What is set here is what the kernel's maps hold after {@link #load()}. The view
     * belongs to this object: once it is loaded or closed its methods throw IllegalStateException.
     * An object without BTF has no variables here.
     */
    public GlobalVariables globals() {
        state.ensureOpen();
        if (globals == null) {
            globals = GlobalVariables.of(object, name, btfOrNull(), false, state);
        }
        return globals;
    }

    /** Sets the verifier log level of every program (see {@link OpenedProgram#verifierLogLevel}). */
    public OpenedObject verifierLogLevel(int level) {
        state.ensureOpen();
        programs.forEach(program -> program.verifierLogLevel(level));
        return this;
    }

    /**
     * Bytes of verifier log kept per program (default 1 MiB). With log level 2 large programs
     * need more: the kernel fails the load with ENOSPC when the log does not fit.
     */
    public OpenedObject verifierLogSize(int bytes) {
        if (bytes < MIN_VERIFIER_LOG_SIZE || bytes > (Integer.MAX_VALUE >> 1)) {
            throw new IllegalArgumentException("verifier log size must be " + MIN_VERIFIER_LOG_SIZE + ".."
                    + (Integer.MAX_VALUE >> 1) + " bytes, got " + bytes);
        }
        state.ensureOpen();
        verifierLogSize = bytes;
        return this;
    }

    /**
     * Loads the object into the kernel ({@code bpf_object__load}): creates its maps, loads its
     * programs with autoload on. On success the native object passes to the returned
     * {@link LoadedObject} and this object is closed. On failure this object is closed too
     * (libbpf cannot retry a failed load) and the failure thrown: a {@link VerifierException}
     * with the whole verifier log when the verifier rejected a program.
     */
    public LoadedObject load() {
        state.ensureOpen();
        for (MemorySegment program : programPointers) {
            if (LibBpf.bpf_program__autoload(program)) {
                // Our own buffer per program: libbpf fills it (retrying at log level 1 when level
                // 0 failed) instead of printing the log, so the log can go into the exception.
                MemorySegment log = arena.allocate(verifierLogSize);
                LibBpfCall.check("set verifier log buffer of", name,
                        () -> LibBpf.bpf_program__set_log_buf(program, log, log.byteSize()));
            }
        }
        LibBpfLog.begin();
        int result = LibBpf.bpf_object__load(object);
        if (result < 0) {
            BpfException failure = loadFailure(-result);
            close();
            throw failure;
        }
        state.close("was loaded: use the LoadedObject that load() returned");
        try {
            return new LoadedObject(object, arena, name);
        } catch (RuntimeException | Error e) {
            LibBpf.bpf_object__close(object); // nobody else can free it now
            arena.close();
            throw e;
        }
    }

    /** A VerifierException for the program the verifier rejected, else the plain failure. */
    private BpfException loadFailure(int errno) {
        String explanation = LibBpfLog.explanation(); // read before any other libbpf call
        for (MemorySegment program : programPointers) {
            if (LibBpf.bpf_program__fd(program) >= 0) {
                continue;
            }
            try (Arena local = Arena.ofConfined()) {
                String log = LibBpfCall.string(LibBpf.bpf_program__log_buf(program, local.allocate(ValueLayout.JAVA_LONG)));
                if (log != null && !log.isEmpty()) {
                    return new VerifierException(name, LibBpfCall.string(LibBpf.bpf_program__name(program)), errno, log);
                }
            }
        }
        String missing = missingKernelItem(LibBpfLog.warnings());
        return BpfException.of("load object", name, errno, missing != null ? missing : explanation);
    }

    /** libbpf's warning when a program's fentry/fexit/tp_btf/lsm/iter target is not in the kernel's BTF. */
    private static final Pattern MISSING_ATTACH_TARGET =
            Pattern.compile("prog '([^']+)': failed to find kernel BTF type ID of '([^']+)'");
    /** libbpf's warning when an extern (__ksym, __kconfig) has nothing in the kernel to bind to. */
    private static final Pattern UNRESOLVED_EXTERN = Pattern.compile("extern \\(([^)]+)\\) '([^']+)': (.+)");

    /**
     * The kernel function, hook or symbol this kernel lacks, named from libbpf's warnings, or
     * null when they name none. libbpf says why in a line several lines above its summary
     * ("failed to load object"), so the last lines alone (the usual explanation) lose it.
     */
    private String missingKernelItem(List<String> warnings) {
        for (String warning : warnings) {
            Matcher target = MISSING_ATTACH_TARGET.matcher(warning);
            if (target.find()) {
                String program = target.group(1);
                String section = programs.stream().filter(p -> p.name().equals(program)).map(OpenedProgram::section)
                        .findFirst().orElse("");
                String kind = section.startsWith("tp_btf") ? "tracepoint" : section.startsWith("lsm") ? "LSM hook"
                        : section.startsWith("iter") ? "iterator" : "kernel function";
                return "program " + program + " (" + section + ") needs " + kind + " '" + target.group(2)
                        + "', which this kernel does not have (it is not in the kernel's BTF)";
            }
            Matcher extern = UNRESOLVED_EXTERN.matcher(warning);
            if (extern.find()) {
                String kind = switch (extern.group(1)) {
                    case "func ksym" -> "kernel function";
                    case "var ksym" -> "kernel variable";
                    case "ksym" -> "kernel symbol";
                    default -> extern.group(1) + " extern";
                };
                return "the object uses " + kind + " '" + extern.group(2) + "', which this kernel does not have: "
                        + extern.group(3).strip();
            }
        }
        return null;
    }

    /** Frees the native object unless {@link #load()} handed it over; closing twice does nothing. */
    @Override
    public void close() {
        if (state.close()) {
            LibBpf.bpf_object__close(object);
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "OpenedObject[" + name + (state.isOpen() ? "" : ", closed") + "]";
    }
}
