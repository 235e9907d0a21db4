package dev.jbpf.btf;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.bindings.btf_dump_printf_fn_t;
import dev.jbpf.internal.AtomicFiles;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibBpfLog;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes the C declarations of every type of a BTF file (the kernel's
 * {@code /sys/kernel/btf/vmlinux}, or any raw or ELF BTF) as a header: the {@code vmlinux.h}
 * BPF programs include, as {@code bpftool btf dump file F format c} writes it, through libbpf's
 * {@code btf_dump}. Types come in BTF id order (libbpf emits each type's dependencies first);
 * bpftool 7.5 sorts them and adds kfunc prototypes, which this header leaves out. Records are
 * marked {@code preserve_access_index} (unless BPF_NO_PRESERVE_ACCESS_INDEX) so that field
 * accesses are CO-RE relocations. Static methods only; the BTF and the dumper are freed before
 * returning.
 */
public final class BtfCHeader {
    private static final String PREAMBLE = """
            #ifndef __VMLINUX_H__
            #define __VMLINUX_H__

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
            #endif

            #ifndef __ksym
            #define __ksym __attribute__((section(".ksyms")))
            #endif

            #ifndef __weak
            #define __weak __attribute__((weak))
            #endif

            """;
    private static final String TRAILER = """

            #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
            #pragma clang attribute pop
            #endif

            #endif /* __VMLINUX_H__ */
            """;

    private BtfCHeader() {
    }

    /** The header of every type in btfFile, as text. */
    public static String of(Path btfFile) {
        Objects.requireNonNull(btfFile, "btfFile");
        if (!Files.isRegularFile(btfFile)) {
            throw new BpfNotFoundException("read BTF", btfFile.toString(), Errno.ENOENT,
                    "no such file (a kernel without /sys/kernel/btf/vmlinux needs a BTF file for its version, e.g. from BTFHub)");
        }
        StringBuilder text = new StringBuilder(PREAMBLE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment btf = LibBpf.btf__parse(arena.allocateFrom(btfFile.toString()), MemorySegment.NULL);
            if (btf.address() == 0) {
                throw BpfException.of("read BTF from", btfFile.toString(), LibBpf.errno(), null);
            }
            try {
                MemorySegment printf = btf_dump_printf_fn_t.allocate((context, format, arguments) -> {
                    try {
                        text.append(LibBpfLog.vformat(format, arguments));
                    } catch (Throwable t) {
                        // an upcall must not throw (the JVM would exit); the header will lack this piece
                    }
                }, arena);
                MemorySegment dump = LibBpf.btf_dump__new(btf, printf, MemorySegment.NULL, MemorySegment.NULL);
                if (dump.address() == 0) {
                    throw BpfException.of("dump BTF of", btfFile.toString(), LibBpf.errno(), null);
                }
                try {
                    int count = LibBpf.btf__type_cnt(btf);
                    for (int id = 1; id < count; id++) {
                        int result = LibBpf.btf_dump__dump_type(dump, id);
                        if (result < 0) {
                            throw BpfException.of("dump BTF type " + id + " of", btfFile.toString(), -result, null);
                        }
                    }
                } finally {
                    LibBpf.btf_dump__free(dump);
                }
            } finally {
                LibBpf.btf__free(btf);
            }
        }
        return text.append(TRAILER).toString();
    }

    /** Writes {@link #of(Path)} to out through a temporary file moved into place (never half-written). */
    public static void write(Path btfFile, Path out) {
        String header = of(btfFile);
        try {
            AtomicFiles.writeString(out, header);
        } catch (IOException e) {
            throw new BpfException("write", out.toString(), Errno.EIO, e.getMessage(), e);
        }
    }
}
