package dev.jbpf.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * What the first {@value #BYTES} bytes of an ELF file say it is: its class (32 or 64 bit), byte
 * order, type ({@code e_type}) and machine ({@code e_machine}). Enough to tell a BPF object from
 * a library for another machine without reading the rest; {@link ElfFile} and
 * {@link RelocatableElf} read the whole header through this one. A plain value: nothing native.
 *
 * @param elfClass {@code EI_CLASS}: {@link #ELFCLASS64} for every binary a 64-bit kernel runs natively
 * @param bigEndian whether {@code EI_DATA} is {@code ELFDATA2MSB}; any other value reads as little-endian
 * @param type {@code e_type}: {@link #ET_REL}, {@link #ET_EXEC}, {@link #ET_DYN}, ...
 * @param machine {@code e_machine}: {@link #EM_BPF}, 62 for x86-64, 183 for AArch64, ...
 */
public record ElfHeader(int elfClass, boolean bigEndian, int type, int machine) {
    /** Bytes this header is read from: {@code e_ident} (16), {@code e_type} (2), {@code e_machine} (2). */
    public static final int BYTES = 20;
    /** {@code EI_CLASS} of ELF64 files. */
    public static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    /** {@code e_type} of relocatable objects (a {@code .bpf.o}), executables (non-PIE), shared objects (libraries, PIE). */
    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;
    /** {@code e_machine} of BPF objects. */
    public static final int EM_BPF = 247;
    private static final int EI_CLASS = 4, EI_DATA = 5, ELFDATA2MSB = 2, E_TYPE = 16, E_MACHINE = 18;
    private static final Map<Integer, String> MACHINES = Map.ofEntries(
            Map.entry(3, "x86 (i386)"), Map.entry(8, "MIPS"), Map.entry(20, "PowerPC"), Map.entry(21, "PowerPC 64"),
            Map.entry(22, "s390"), Map.entry(40, "ARM"), Map.entry(62, "x86-64"), Map.entry(183, "AArch64"),
            Map.entry(243, "RISC-V"), Map.entry(247, "BPF"), Map.entry(258, "LoongArch"));

    /** Whether the first {@code length} of {@code bytes} start with the ELF magic {@code \x7fELF}. */
    public static boolean hasMagic(byte[] bytes, int length) {
        return length >= 4 && bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L'
                && bytes[3] == 'F';
    }

    /**
     * The header in the first {@code length} of {@code bytes}: empty when they do not start with
     * the ELF magic or are fewer than {@value #BYTES}.
     */
    public static Optional<ElfHeader> parse(byte[] bytes, int length) {
        if (!hasMagic(bytes, length) || length < BYTES || bytes.length < BYTES) {
            return Optional.empty();
        }
        boolean bigEndian = bytes[EI_DATA] == ELFDATA2MSB;
        return Optional.of(new ElfHeader(bytes[EI_CLASS], bigEndian, half(bytes, E_TYPE, bigEndian),
                half(bytes, E_MACHINE, bigEndian)));
    }

    /** The header of the file at {@code path}: empty when it cannot be read, is not ELF or is shorter. */
    public static Optional<ElfHeader> read(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(BYTES);
            while (header.hasRemaining() && channel.read(header, header.position()) > 0) {
                // a short read is not the end of the file: read on until BYTES or EOF
            }
            return parse(header.array(), header.position());
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable (a directory, no permission): not a file we can use
        }
    }

    /** Whether this is ELF64, the class of every binary a 64-bit kernel runs natively. */
    public boolean is64Bit() {
        return elfClass == ELFCLASS64;
    }

    /** The machine as people name it ("x86-64", "AArch64"), or "machine N" for one not listed. */
    public String machineName() {
        return MACHINES.getOrDefault(machine, "machine " + machine);
    }

    private static int half(byte[] bytes, int at, boolean bigEndian) {
        int first = bytes[at] & 0xff, second = bytes[at + 1] & 0xff;
        return bigEndian ? (first << 8) | second : (second << 8) | first;
    }
}
