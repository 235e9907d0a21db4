package dev.jbpf.asm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * x86-64 machine code to assembly text through LLVM's C disassembler API
 * ({@code LLVMCreateDisasm}, {@code LLVMDisasmInstruction}) in libLLVM-19 (Debian's
 * {@code libllvm19}, installed with clang-19), called through FFM. The library is looked up by
 * path and stays loaded for the life of the JVM once found; {@link #open()} is empty when it is
 * absent or the host is not x86-64 ({@link #unavailableReason()} says which).
 *
 * <p>Owns one LLVM disassembler context; {@link #close()} disposes of it. Not thread-safe.
 */
public final class X86Disassembler implements AutoCloseable {
    /** Where Debian puts libLLVM-19; the environment variable {@code JBPF_LIBLLVM} names another file instead. */
    static final List<String> LIBRARY_PATHS = List.of("/usr/lib/x86_64-linux-gnu/libLLVM-19.so",
            "/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1", "/usr/lib/llvm-19/lib/libLLVM.so");
    private static final String TRIPLE = "x86_64-pc-linux-gnu";
    private static final long OPTION_PRINT_IMM_HEX = 2;
    private static final int MAX_INSTRUCTION = 15; // the longest x86 instruction

    private static volatile Native bindings;
    private static volatile String unavailable;

    private final Native llvm;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment context;
    private final MemorySegment text;
    private boolean closed;

    /**
     * One decoded instruction: its offset in the function, its bytes, its text (AT&T syntax)
     * and, for a relative call or jump, the absolute address it goes to (else 0).
     */
    public record Decoded(int offset, byte[] bytes, String text, long target) {
    }

    /** "callq -0x3eb05922", "je 0x4": LLVM prints a relative branch's displacement. */
    private static final java.util.regex.Pattern RELATIVE_BRANCH =
            java.util.regex.Pattern.compile("^(?:call|j)\\w* (-?)0x([0-9a-f]+)$");

    /** The downcalls, bound once. */
    private record Native(MethodHandle create, MethodHandle options, MethodHandle disassemble, MethodHandle dispose) {
    }

    private X86Disassembler(Native llvm) {
        this.llvm = llvm;
        try {
            context = (MemorySegment) llvm.create.invokeExact(arena.allocateFrom(TRIPLE), MemorySegment.NULL, 0,
                    MemorySegment.NULL, MemorySegment.NULL);
            if (context.address() == 0) {
                arena.close();
                throw new IllegalStateException("LLVMCreateDisasm(" + TRIPLE + ") failed");
            }
            int ignored = (int) llvm.options.invokeExact(context, OPTION_PRINT_IMM_HEX);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        text = arena.allocate(256);
    }

    /** A disassembler when libLLVM-19 is there and this is x86-64; else empty. */
    public static Optional<X86Disassembler> open() {
        Native llvm = bind();
        return llvm == null ? Optional.empty() : Optional.of(new X86Disassembler(llvm));
    }

    /** Why {@link #open()} is empty, or null when it is not. */
    public static String unavailableReason() {
        bind();
        return unavailable;
    }

    @SuppressWarnings("restricted") // loads libLLVM and binds its C functions: the point of this class
    private static synchronized Native bind() {
        if (bindings != null || unavailable != null) {
            return bindings;
        }
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            unavailable = "no x86-64 disassembly on " + arch;
            return null;
        }
        List<String> candidates = new ArrayList<>();
        String override = System.getenv("JBPF_LIBLLVM");
        if (override != null && !override.isBlank()) {
            candidates.add(override); // only that file: a wrong path shows the fallback rather than hiding it
        } else {
            candidates.addAll(LIBRARY_PATHS);
        }
        Path library = candidates.stream().map(Path::of).filter(Files::isRegularFile).findFirst().orElse(null);
        if (library == null) {
            if (!candidates.equals(LIBRARY_PATHS)) {
                unavailable = "JBPF_LIBLLVM=" + override + " is not a file";
                return null;
            }
            unavailable = "libLLVM-19 not found (" + String.join(", ", LIBRARY_PATHS)
                    + "): install Debian's libllvm19 (it comes with clang-19) for x86-64 disassembly";
            return null;
        }
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
            Linker linker = Linker.nativeLinker();
            for (String init : List.of("LLVMInitializeX86TargetInfo", "LLVMInitializeX86TargetMC",
                    "LLVMInitializeX86Disassembler")) {
                linker.downcallHandle(lookup.find(init).orElseThrow(), FunctionDescriptor.ofVoid()).invokeExact();
            }
            ValueLayout pointer = ValueLayout.ADDRESS;
            bindings = new Native(
                    linker.downcallHandle(lookup.find("LLVMCreateDisasm").orElseThrow(), FunctionDescriptor.of(pointer,
                            pointer, pointer, ValueLayout.JAVA_INT, pointer, pointer)),
                    linker.downcallHandle(lookup.find("LLVMSetDisasmOptions").orElseThrow(), FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, pointer, ValueLayout.JAVA_LONG)),
                    linker.downcallHandle(lookup.find("LLVMDisasmInstruction").orElseThrow(), FunctionDescriptor.of(
                            ValueLayout.JAVA_LONG, pointer, pointer, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            pointer, ValueLayout.JAVA_LONG)),
                    linker.downcallHandle(lookup.find("LLVMDisasmDispose").orElseThrow(), FunctionDescriptor.ofVoid(pointer)));
            return bindings;
        } catch (Throwable e) {
            unavailable = "cannot use " + library + ": " + e.getMessage();
            return null;
        }
    }

    /**
     * Decodes {@code code} as loaded at {@code address} (so relative call and jump targets print
     * as absolute addresses). Bytes LLVM cannot decode become one {@code (bad)} entry each.
     */
    public List<Decoded> disassemble(byte[] code, long address) {
        if (closed) {
            throw new IllegalStateException("disassembler is closed");
        }
        List<Decoded> result = new ArrayList<>();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment bytes = scratch.allocate(Math.max(1, code.length));
            MemorySegment.copy(code, 0, bytes, ValueLayout.JAVA_BYTE, 0, code.length);
            int at = 0;
            while (at < code.length) {
                long size = (long) llvm.disassemble.invokeExact(context, bytes.asSlice(at),
                        (long) Math.min(MAX_INSTRUCTION * 4, code.length - at), address + at, text, text.byteSize());
                int length = size > 0 ? (int) size : 1;
                String decoded = size > 0 ? text.getString(0).strip().replace('\t', ' ') : "(bad)";
                long target = 0;
                java.util.regex.Matcher branch = RELATIVE_BRANCH.matcher(decoded);
                if (size > 0 && branch.matches()) {
                    long displacement = Long.parseUnsignedLong(branch.group(2), 16);
                    target = address + at + length + (branch.group(1).isEmpty() ? displacement : -displacement);
                }
                result.add(new Decoded(at, java.util.Arrays.copyOfRange(code, at, at + length), decoded, target));
                at += length;
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return result;
    }

    private static RuntimeException rethrow(Throwable e) {
        return e instanceof RuntimeException r ? r : e instanceof Error error ? sneaky(error)
                : new IllegalStateException("LLVM disassembler call failed: " + e, e);
    }

    private static RuntimeException sneaky(Error error) {
        throw error;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                llvm.dispose.invokeExact(context);
            } catch (Throwable e) {
                throw rethrow(e);
            } finally {
                arena.close();
            }
        }
    }
}
