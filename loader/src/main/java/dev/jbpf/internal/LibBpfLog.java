package dev.jbpf.internal;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.libbpf_print_fn_t;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * libbpf's print callback: routes every libbpf message to the {@link System.Logger}
 * {@code "dev.jbpf.libbpf"} (WARN → WARNING, INFO → INFO, DEBUG → DEBUG) and keeps the last
 * warnings of each thread, so a failed call can say what libbpf said about it. Not API.
 *
 * <p>One callback for the whole process, installed on first use (libbpf has one global print
 * function). Native memory: the upcall stub lives in {@link Arena#global()}; each thread's
 * format buffer is in an automatic arena, freed when the thread is gone. Formatting uses libc
 * {@code vsnprintf} with libbpf's {@code va_list}, which on x86_64 arrives as a pointer.
 */
public final class LibBpfLog {
    private static final System.Logger LOGGER = System.getLogger("dev.jbpf.libbpf");
    private static final int LIBBPF_WARN = 0, LIBBPF_INFO = 1;
    /** How many warning lines each thread keeps. */
    private static final int KEPT_WARNINGS = 16;
    /** How many of the last warnings an error message quotes: the cause and libbpf's summary. */
    private static final int EXPLANATION_LINES = 2;
    private static final int BUFFER_SIZE = 4096;
    /** sizeof(va_list) on x86_64, to copy it before formatting (C's va_copy). */
    private static final int VA_LIST_SIZE = 24;
    private static final boolean X86_64 = System.getProperty("os.arch").matches("amd64|x86_64");

    private static final ThreadLocal<Deque<String>> WARNINGS = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<MemorySegment> BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BUFFER_SIZE));
    private static volatile boolean installed;

    private LibBpfLog() {
    }

    /** Installs the callback once per process; later calls do nothing. */
    public static void install() {
        if (installed) {
            return;
        }
        synchronized (LibBpfLog.class) {
            if (!installed) {
                MemorySegment stub = libbpf_print_fn_t.allocate(LibBpfLog::print, Arena.global());
                LibBpf.libbpf_set_print(stub);
                installed = true;
            }
        }
    }

    /** Installs the callback if needed and forgets this thread's warnings: call before a libbpf call. */
    public static void begin() {
        install();
        WARNINGS.get().clear();
    }

    /** This thread's warning lines since {@link #begin()}, oldest first. */
    public static List<String> warnings() {
        return List.copyOf(WARNINGS.get());
    }

    /**
     * libbpf's explanation of this thread's last failure as one line (its last warnings
     * joined by "; "), or null when libbpf said nothing.
     */
    public static String explanation() {
        Deque<String> warnings = WARNINGS.get();
        if (warnings.isEmpty()) {
            return null;
        }
        List<String> lines = List.copyOf(warnings);
        return String.join("; ", lines.subList(Math.max(0, lines.size() - EXPLANATION_LINES), lines.size()));
    }

    /** The upcall. Must never throw: an exception escaping an upcall kills the JVM. */
    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try {
            System.Logger.Level javaLevel = level == LIBBPF_WARN ? System.Logger.Level.WARNING
                    : level == LIBBPF_INFO ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
            boolean keep = level == LIBBPF_WARN;
            if (!keep && !LOGGER.isLoggable(javaLevel)) {
                return 0; // libbpf's debug output is chatty: skip formatting nobody reads
            }
            String message = vformat(format, vaList).stripTrailing();
            if (message.isEmpty()) {
                return 0;
            }
            if (keep) {
                remember(message);
            }
            LOGGER.log(javaLevel, message);
        } catch (Throwable t) {
            // Swallowed on purpose: see above. Losing one log line is the lesser evil.
        }
        return 0;
    }

    /**
     * A printf-style message of libbpf's callbacks (this log's and btf_dump's) as a String: the
     * format and its {@code va_list}, formatted with vsnprintf. Call it inside the callback.
     */
    public static String vformat(MemorySegment format, MemorySegment vaList) {
        MemorySegment buffer = BUFFER.get();
        if (!X86_64) {
            LibC.vsnprintf(buffer, format, vaList); // cannot copy an unknown va_list: truncate
            return buffer.getString(0);
        }
        // vsnprintf consumes the va_list; format a copy first so a long message can be redone.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(VA_LIST_SIZE, 8);
            copy.copyFrom(vaList.reinterpret(VA_LIST_SIZE));
            int length = LibC.vsnprintf(buffer, format, copy);
            if (length < buffer.byteSize()) {
                return buffer.getString(0);
            }
            MemorySegment large = arena.allocate(length + 1L);
            LibC.vsnprintf(large, format, vaList);
            return large.getString(0);
        }
    }

    private static void remember(String message) {
        Deque<String> warnings = WARNINGS.get();
        for (String line : message.split("\n")) {
            if (!line.isBlank()) {
                warnings.addLast(line.strip());
                if (warnings.size() > KEPT_WARNINGS) {
                    warnings.removeFirst();
                }
            }
        }
    }
}
