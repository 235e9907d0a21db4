package dev.jbpf.asm;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.bpf_line_info;
import dev.jbpf.bindings.bpf_prog_info;
import dev.jbpf.btf.Btf;
import dev.jbpf.program.ProgramImage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A loaded program's line info as libbpf's {@code bpf_prog_linfo} (what bpftool uses), to find
 * the source line shown above a translated instruction or a native address, with bpftool's
 * "lines shown so far" count. Owns that libbpf object; {@link #close()} frees it. Lines come
 * as text from the program's BTF, which the caller owns.
 */
final class SourceLines implements AutoCloseable {
    private final MemorySegment linfo;
    private final Btf btf;
    private final int recordSize = (int) bpf_line_info.sizeof();

    private SourceLines(MemorySegment linfo, Btf btf) {
        this.linfo = linfo;
        this.btf = btf;
    }

    /** The program's lines, or null when it has none (or no BTF). */
    static SourceLines of(ProgramImage image, Btf btf) {
        if (btf == null || image.lines().isEmpty()) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            int count = image.lines().size();
            int recordSize = (int) bpf_line_info.sizeof();
            MemorySegment lines = arena.allocate((long) recordSize * count);
            for (int i = 0; i < count; i++) {
                ProgramImage.SourceLine line = image.lines().get(i);
                MemorySegment record = lines.asSlice((long) i * recordSize, recordSize);
                bpf_line_info.insn_off(record, line.instruction());
                bpf_line_info.file_name_off(record, line.fileNameOffset());
                bpf_line_info.line_off(record, line.lineOffset());
                bpf_line_info.line_col(record, line.lineColumn());
            }
            MemorySegment info = bpf_prog_info.allocate(arena);
            bpf_prog_info.nr_line_info(info, count);
            bpf_prog_info.line_info_rec_size(info, recordSize);
            bpf_prog_info.line_info(info, lines.address());
            if (image.jitedLineAddresses().size() == count && !image.jitedSymbols().isEmpty()
                    && image.jitedSymbols().size() == image.jitedFunctionLengths().size()) {
                // the native addresses too, so lines can be found by address (prog dump jited)
                MemorySegment addresses = arena.allocate(ValueLayout.JAVA_LONG, count);
                for (int i = 0; i < count; i++) {
                    addresses.setAtIndex(ValueLayout.JAVA_LONG, i, image.jitedLineAddresses().get(i));
                }
                int functions = image.jitedSymbols().size();
                MemorySegment symbols = arena.allocate(ValueLayout.JAVA_LONG, functions);
                MemorySegment lengths = arena.allocate(ValueLayout.JAVA_INT, functions);
                for (int i = 0; i < functions; i++) {
                    symbols.setAtIndex(ValueLayout.JAVA_LONG, i, image.jitedSymbols().get(i));
                    lengths.setAtIndex(ValueLayout.JAVA_INT, i, image.jitedFunctionLengths().get(i));
                }
                bpf_prog_info.nr_jited_line_info(info, count);
                bpf_prog_info.jited_line_info_rec_size(info, Long.BYTES);
                bpf_prog_info.jited_line_info(info, addresses.address());
                bpf_prog_info.nr_jited_ksyms(info, functions);
                bpf_prog_info.jited_ksyms(info, symbols.address());
                bpf_prog_info.nr_jited_func_lens(info, functions);
                bpf_prog_info.jited_func_lens(info, lengths.address());
            }
            MemorySegment linfo = LibBpf.bpf_prog_linfo__new(info); // copies what it needs
            return linfo.address() == 0 ? null : new SourceLines(linfo, btf);
        }
    }

    /** The line starting at translated instruction {@code slot}, or null; {@code shown}: lines printed so far. */
    String atInstruction(int slot, int shown) {
        return text(LibBpf.bpf_prog_linfo__lfind(linfo, slot, shown));
    }

    /** The line starting at native {@code address} of JIT function {@code function}, or null. */
    String atAddress(long address, int function, int shown) {
        return text(LibBpf.bpf_prog_linfo__lfind_addr_func(linfo, address, function, shown));
    }

    @SuppressWarnings("restricted") // sizes the record libbpf returns a pointer to
    private String text(MemorySegment found) {
        if (found.address() == 0) {
            return null;
        }
        return btf.stringAt(bpf_line_info.line_off(found.reinterpret(recordSize))).stripLeading();
    }

    @Override
    public void close() {
        LibBpf.bpf_prog_linfo__free(linfo);
    }
}
