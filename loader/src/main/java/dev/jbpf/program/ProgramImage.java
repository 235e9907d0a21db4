package dev.jbpf.program;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_prog_info;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.LibBpfCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded program's code as the kernel reports it ({@code BPF_OBJ_GET_INFO_BY_FD} with its
 * arrays asked for): the instructions after the verifier's rewriting, the JIT's machine code,
 * the start address and length of each JIT-compiled function, and the BTF function and line
 * records that tie instructions to source. Copied into the Java heap: owns no native memory and
 * no fd. (Its byte arrays are its own copies; as in any record, {@code equals} compares them by
 * identity.)
 *
 * @param info the program's {@link ProgramInfo}
 * @param xlated the translated instructions, 8 bytes each (empty when the kernel hides them)
 * @param jited the native code (empty when not JIT-compiled or hidden)
 * @param jitedSymbols kernel addresses of the JIT-compiled functions: the main program first,
 *     then its subprograms, in the order of {@code call pc} immediates
 * @param jitedFunctionLengths bytes of native code of each of those functions
 * @param functions where each function starts (BTF {@code bpf_func_info})
 * @param lines source lines of instructions (BTF {@code bpf_line_info}), sorted by instruction
 * @param jitedLineAddresses the native address where each of {@code lines} starts, when
 *     JIT-compiled (same order and count), else empty
 * @param memlockBytes the bytes charged to the memlock limit, from {@code /proc/self/fdinfo}
 */
public record ProgramImage(ProgramInfo info, byte[] xlated, byte[] jited, List<Long> jitedSymbols,
        List<Integer> jitedFunctionLengths, List<FunctionStart> functions, List<SourceLine> lines,
        List<Long> jitedLineAddresses, long memlockBytes) {

    /** A function of the program: its first instruction and its BTF FUNC type (in the program's BTF). */
    public record FunctionStart(int instruction, int typeId) {
    }

    /**
     * A source line: its first instruction, and offsets of its file name and text in the
     * program's BTF string section; {@code lineColumn} packs line (high 22 bits) and column.
     */
    public record SourceLine(int instruction, int fileNameOffset, int lineOffset, int lineColumn) {
        public int line() {
            return lineColumn >>> 10;
        }

        public int column() {
            return lineColumn & 0x3ff;
        }
    }

    public ProgramImage {
        jitedSymbols = List.copyOf(jitedSymbols);
        jitedFunctionLengths = List.copyOf(jitedFunctionLengths);
        functions = List.copyOf(functions);
        lines = List.copyOf(lines);
        jitedLineAddresses = List.copyOf(jitedLineAddresses);
    }

    /** The program with this kernel id; none → {@link dev.jbpf.BpfNotFoundException}. */
    public static ProgramImage ofId(int id) {
        try (Fd program = KernelObjects.openById(KernelObjects.Kind.PROGRAM, id)) {
            return ofFd(program.value(), "id " + id);
        }
    }

    static ProgramImage ofFd(int fd, String target) {
        ProgramInfo info = ProgramInfo.ofFd(fd, target);
        try (Arena arena = Arena.ofConfined()) {
            // First call: the sizes of the arrays. Second: the arrays, into memory sized from them.
            MemorySegment counts = query(arena, fd, target, null);
            int xlatedLength = bpf_prog_info.xlated_prog_len(counts);
            int jitedLength = bpf_prog_info.jited_prog_len(counts);
            int symbolCount = bpf_prog_info.nr_jited_ksyms(counts);
            int lengthCount = bpf_prog_info.nr_jited_func_lens(counts);
            int functionCount = bpf_prog_info.nr_func_info(counts);
            int functionRecord = bpf_prog_info.func_info_rec_size(counts);
            int lineCount = bpf_prog_info.nr_line_info(counts);
            int lineRecord = bpf_prog_info.line_info_rec_size(counts);
            int jitedLineCount = bpf_prog_info.nr_jited_line_info(counts);
            int jitedLineRecord = bpf_prog_info.jited_line_info_rec_size(counts);

            MemorySegment xlated = arena.allocate(Math.max(1, xlatedLength));
            MemorySegment jited = arena.allocate(Math.max(1, jitedLength));
            MemorySegment symbols = arena.allocate(ValueLayout.JAVA_LONG, Math.max(1, symbolCount));
            MemorySegment lengths = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, lengthCount));
            MemorySegment functions = arena.allocate(Math.max(1, (long) functionCount * functionRecord));
            MemorySegment lines = arena.allocate(Math.max(1, (long) lineCount * lineRecord));
            MemorySegment jitedLines = arena.allocate(Math.max(8, (long) jitedLineCount * jitedLineRecord));
            MemorySegment full = query(arena, fd, target, request -> {
                bpf_prog_info.xlated_prog_len(request, xlatedLength);
                bpf_prog_info.xlated_prog_insns(request, xlated.address());
                bpf_prog_info.jited_prog_len(request, jitedLength);
                bpf_prog_info.jited_prog_insns(request, jited.address());
                bpf_prog_info.nr_jited_ksyms(request, symbolCount);
                bpf_prog_info.jited_ksyms(request, symbols.address());
                bpf_prog_info.nr_jited_func_lens(request, lengthCount);
                bpf_prog_info.jited_func_lens(request, lengths.address());
                bpf_prog_info.nr_func_info(request, functionCount);
                bpf_prog_info.func_info_rec_size(request, functionRecord);
                bpf_prog_info.func_info(request, functions.address());
                bpf_prog_info.nr_line_info(request, lineCount);
                bpf_prog_info.line_info_rec_size(request, lineRecord);
                bpf_prog_info.line_info(request, lines.address());
                bpf_prog_info.nr_jited_line_info(request, jitedLineCount);
                bpf_prog_info.jited_line_info_rec_size(request, jitedLineRecord);
                bpf_prog_info.jited_line_info(request, jitedLines.address());
            });
            // A program can only shrink its reported arrays between the calls (e.g. when hidden).
            int xlatedBytes = Math.min(xlatedLength, bpf_prog_info.xlated_prog_len(full));
            int jitedBytes = Math.min(jitedLength, bpf_prog_info.jited_prog_len(full));
            List<Long> symbolList = new ArrayList<>();
            for (int i = 0; i < Math.min(symbolCount, bpf_prog_info.nr_jited_ksyms(full)); i++) {
                symbolList.add(symbols.getAtIndex(ValueLayout.JAVA_LONG, i));
            }
            List<Integer> lengthList = new ArrayList<>();
            for (int i = 0; i < Math.min(lengthCount, bpf_prog_info.nr_jited_func_lens(full)); i++) {
                lengthList.add(lengths.getAtIndex(ValueLayout.JAVA_INT, i));
            }
            List<FunctionStart> functionList = new ArrayList<>();
            for (int i = 0; i < Math.min(functionCount, bpf_prog_info.nr_func_info(full)); i++) {
                long base = (long) i * functionRecord;
                functionList.add(new FunctionStart(functions.get(ValueLayout.JAVA_INT_UNALIGNED, base),
                        functions.get(ValueLayout.JAVA_INT_UNALIGNED, base + 4)));
            }
            List<SourceLine> lineList = new ArrayList<>();
            for (int i = 0; i < Math.min(lineCount, bpf_prog_info.nr_line_info(full)); i++) {
                long base = (long) i * lineRecord;
                lineList.add(new SourceLine(lines.get(ValueLayout.JAVA_INT_UNALIGNED, base),
                        lines.get(ValueLayout.JAVA_INT_UNALIGNED, base + 4),
                        lines.get(ValueLayout.JAVA_INT_UNALIGNED, base + 8),
                        lines.get(ValueLayout.JAVA_INT_UNALIGNED, base + 12)));
            }
            List<Long> jitedLineList = new ArrayList<>();
            int jitedLinesReturned = Math.min(jitedLineCount, bpf_prog_info.nr_jited_line_info(full));
            if (jitedLinesReturned == lineList.size()) { // one address per line record, or none at all
                for (int i = 0; i < jitedLinesReturned; i++) {
                    jitedLineList.add(jitedLines.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * jitedLineRecord));
                }
            }
            return new ProgramImage(info, xlated.asSlice(0, xlatedBytes).toArray(ValueLayout.JAVA_BYTE),
                    jited.asSlice(0, jitedBytes).toArray(ValueLayout.JAVA_BYTE), symbolList, lengthList, functionList,
                    lineList, jitedLineList, dev.jbpf.internal.FdInfo.number(dev.jbpf.internal.FdInfo.of(fd), "memlock", 0));
        }
    }

    private static MemorySegment query(Arena arena, int fd, String target,
            java.util.function.Consumer<MemorySegment> request) {
        MemorySegment info = bpf_prog_info.allocate(arena); // zeroed: the kernel rejects stray pointers
        if (request != null) {
            request.accept(info);
        }
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) bpf_prog_info.sizeof());
        LibBpfCall.check("get info of program", target, () -> LibBpf.bpf_prog_get_info_by_fd(fd, info, length));
        return info;
    }
}
