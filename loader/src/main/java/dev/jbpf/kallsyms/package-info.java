/**
 * The running kernel's symbols from {@code /proc/kallsyms} ({@link dev.jbpf.kallsyms.KernelSymbols}):
 * names for the addresses that translated and JIT-compiled programs call ({@code jbpf prog dump})
 * and for the kernel frames of sampled stacks ({@code jbpf profile}). Values in the Java heap;
 * no native memory.
 */
package dev.jbpf.kallsyms;
