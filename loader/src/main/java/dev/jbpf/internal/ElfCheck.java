package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.util.Map;

/**
 * Checks the ELF header of a would-be BPF object before libbpf sees it, so that a wrong file
 * gets a message saying what it is. Not API; pure Java.
 */
public final class ElfCheck {
    /** e_machine of BPF objects. */
    public static final int EM_BPF = 247;
    /** Bytes of the header the check reads: e_ident (16), e_type (2), e_machine (2). */
    public static final int HEADER_BYTES = 20;
    private static final int EI_DATA = 5, ELFDATA2MSB = 2, E_MACHINE = 18;
    private static final Map<Integer, String> MACHINES = Map.ofEntries(
            Map.entry(3, "x86 (i386)"), Map.entry(8, "MIPS"), Map.entry(20, "PowerPC"), Map.entry(21, "PowerPC 64"),
            Map.entry(22, "s390"), Map.entry(40, "ARM"), Map.entry(62, "x86-64"), Map.entry(183, "AArch64"),
            Map.entry(243, "RISC-V"), Map.entry(258, "LoongArch"));

    private ElfCheck() {
    }

    /**
     * Throws a {@link BpfException} unless {@code header} (the first bytes of the file, fewer
     * when the file is shorter) starts like an ELF file for machine EM_BPF. A header too short
     * to hold e_machine passes: libbpf then reports the truncation in its own words.
     */
    public static void requireBpfElf(byte[] header, int length, String target) {
        if (length < 4 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
            throw new BpfException("open object", target, "is not an ELF file");
        }
        if (length < HEADER_BYTES) {
            return;
        }
        int low = header[E_MACHINE] & 0xff, high = header[E_MACHINE + 1] & 0xff;
        int machine = header[EI_DATA] == ELFDATA2MSB ? (low << 8) | high : (high << 8) | low;
        if (machine != EM_BPF) {
            String name = MACHINES.getOrDefault(machine, "machine " + machine);
            throw new BpfException("open object", target, "is an ELF file for " + name + ", not a BPF object");
        }
    }
}
