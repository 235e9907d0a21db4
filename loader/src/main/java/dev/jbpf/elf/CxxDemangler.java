package dev.jbpf.elf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Demangles C++ symbol names (the Itanium ABI's, {@code _ZN10JavaThread3runEv} →
 * {@code JavaThread::run()}) with the C++ runtime's own demangler: {@code abi::__cxa_demangle}
 * of libstdc++.so.6, called through FFM, so names read as {@code c++filt} prints them (both use
 * GCC's demangler). Not a demangler of jbpf's own: where libstdc++ is missing, nothing is
 * demangled ({@link #available()} is false) and names stay as the ELF file has them.
 *
 * <p>Native memory: each call copies the name into a confined arena closed before it returns,
 * and frees the buffer {@code __cxa_demangle} returns (malloc'd by libstdc++) with libc's
 * {@code free}. Nothing is held between calls but the two downcall handles. Thread-safe
 * ({@code __cxa_demangle} with no output buffer is).
 */
public final class CxxDemangler {
    private static final int MAX_NAME = 1 << 16; // longer "names" are not symbols worth a native call

    private CxxDemangler() {
    }

    /** The two functions, bound on first use; null handles when libstdc++.so.6 cannot be loaded. */
    private static final class Native {
        static final MethodHandle CXA_DEMANGLE;
        static final MethodHandle FREE;
        static final String MISSING;

        static {
            MethodHandle demangle = null;
            MethodHandle free = null;
            String missing = null;
            Linker linker = Linker.nativeLinker();
            try {
                // the global arena: the library stays loaded for the life of the process, as
                // it does anyway in a JVM (libjvm links libstdc++ on most builds)
                SymbolLookup libstdcxx = SymbolLookup.libraryLookup("libstdc++.so.6", Arena.global());
                demangle = linker.downcallHandle(libstdcxx.find("__cxa_demangle").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.ADDRESS));
                free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                missing = "libstdc++.so.6 (its __cxa_demangle) cannot be loaded: " + e.getMessage();
                demangle = null;
                free = null;
            }
            CXA_DEMANGLE = demangle;
            FREE = free;
            MISSING = missing;
        }
    }

    /** Whether the C++ runtime's demangler could be loaded (libstdc++.so.6 is installed). */
    public static boolean available() {
        return Native.CXA_DEMANGLE != null;
    }

    /** Why {@link #available()} is false, or empty when it is true. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Native.MISSING);
    }

    /** Whether {@code name} looks like a mangled C++ name ({@code _Z...}), the only kind {@link #demangle} changes. */
    public static boolean isMangled(String name) {
        return name.startsWith("_Z") && name.length() > 2;
    }

    /**
     * The demangled form of {@code name} ({@code _ZN10JavaThread3runEv} → {@code JavaThread::run()},
     * clones such as {@code .cold} or {@code .constprop.1} as {@code [clone .cold]}); empty when
     * it is no mangled C++ name, the demangler refuses it, or libstdc++ is missing.
     */
    public static Optional<String> demangle(String name) {
        if (!isMangled(name) || name.length() > MAX_NAME || !available()) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            status.set(ValueLayout.JAVA_INT, 0, -4);
            MemorySegment result = (MemorySegment) Native.CXA_DEMANGLE.invokeExact(arena.allocateFrom(name),
                    MemorySegment.NULL, MemorySegment.NULL, status);
            if (result.equals(MemorySegment.NULL)) {
                return Optional.empty(); // status -2: not a valid name under the C++ ABI
            }
            try {
                String text = result.reinterpret(Long.MAX_VALUE).getString(0);
                return status.get(ValueLayout.JAVA_INT, 0) == 0 ? Optional.of(text) : Optional.empty();
            } finally {
                Native.FREE.invokeExact(result); // malloc'd by __cxa_demangle: the caller frees it
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("__cxa_demangle failed on " + name, t);
        }
    }
}
