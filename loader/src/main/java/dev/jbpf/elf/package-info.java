/**
 * Reading native ELF binaries (executables and shared libraries) in pure Java, for uprobes and
 * USDT probes: {@link dev.jbpf.elf.Binaries} finds a binary by path, program name or library
 * name as the dynamic linker would; {@link dev.jbpf.elf.ElfFile} lists its symbols (from
 * {@code .symtab} and {@code .dynsym}, with GNU symbol versions), resolves a function to the
 * file offset a uprobe needs, and lists its USDT probes ({@code .note.stapsdt});
 * {@link dev.jbpf.elf.UsdtProbes} lists the USDT probes of a binary (notes only, no symbols) or of
 * a running process, and selects them by provider and name; {@link dev.jbpf.elf.ProcessMaps} reads
 * a process's memory map and names the files it runs code from as this process reaches them
 * ({@code /proc/PID/root}, so a process in a container works);
 * {@link dev.jbpf.elf.RelocatableElf} reads a compiled BPF object (sections, symbols,
 * relocations) for the disassembler; {@link dev.jbpf.elf.ElfHeader} says what a file is from its
 * first 20 bytes. One reader parses ELF for all of them. {@link dev.jbpf.elf.CxxDemangler}
 * demangles C++ symbol names with libstdc++'s own {@code __cxa_demangle} (through FFM).
 *
 * <p>Nothing here holds native memory or open files: files are read with positional reads
 * into the Java heap ({@code /proc/PID/maps} whole) and closed before a method returns; the
 * demangler frees what each call allocated before it returns. Failures are
 * {@link dev.jbpf.BpfException}s ({@link dev.jbpf.BpfNotFoundException} for a missing file,
 * symbol or probe), so callers handle them like every other jbpf error.
 */
package dev.jbpf.elf;
