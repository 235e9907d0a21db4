/**
 * The eBPF instruction set: {@link dev.jbpf.asm.Instruction} (one decoded instruction, a plain
 * value), {@link dev.jbpf.asm.Disassembler} (text in the kernel verifier's and bpftool's
 * notation), {@link dev.jbpf.asm.HelperNames} (helper ids to names from the kernel's BTF),
 * {@link dev.jbpf.kallsyms.KernelSymbols} ({@code /proc/kallsyms}), {@link dev.jbpf.asm.XlatedListing}
 * (a loaded program's translated instructions as bpftool prints them),
 * {@link dev.jbpf.asm.ObjectListing} (a program section of a {@code .bpf.o} before loading,
 * relocations named), {@link dev.jbpf.asm.JitedListing} (a loaded program's native code by
 * function, with source lines) and {@link dev.jbpf.asm.X86Disassembler} (x86-64 code through
 * LLVM's C disassembler).
 *
 * <p>Everything here works on copies in the Java heap; only {@link dev.jbpf.asm.X86Disassembler}
 * holds native memory (LLVM's disassembler context), which its {@code close()} frees.
 */
package dev.jbpf.asm;
