package dev.jbpf.asm;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's symbols by address, from {@code /proc/kallsyms}: helpers and kfuncs that
 * translated programs call by address, and the {@code bpf_prog_TAG_NAME} symbols of JIT-compiled
 * BPF functions. Addresses read as 0 (kernel.kptr_restrict, no CAP_SYSLOG) are left out, so
 * then nothing resolves. A copy in the Java heap.
 */
public final class KernelSymbols {
    private final Map<Long, String> byAddress;
    private final long callBase;

    private KernelSymbols(Map<Long, String> byAddress, long callBase) {
        this.byAddress = byAddress;
        this.callBase = callBase;
    }

    /** Reads /proc/kallsyms now (the BPF symbols change as programs load); empty when unreadable. */
    public static KernelSymbols load() {
        return load(Path.of("/proc/kallsyms"));
    }

    static KernelSymbols load(Path file) {
        Map<Long, String> byAddress = new HashMap<>();
        long callBase = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = reader.readLine()) != null) {
                // "ffffffff81234560 T name [module]"
                int space = line.indexOf(' ');
                int nameStart = line.indexOf(' ', space + 1) + 1;
                if (space <= 0 || nameStart <= 0) {
                    continue;
                }
                int nameEnd = line.indexOf('\t', nameStart);
                String name = line.substring(nameStart, nameEnd < 0 ? line.length() : nameEnd).trim();
                long address = Long.parseUnsignedLong(line, 0, space, 16);
                if (name.equals("__bpf_call_base")) {
                    callBase = address;
                }
                if (address != 0) {
                    byAddress.putIfAbsent(address, name); // the first of aliases, in file order
                }
            }
        } catch (IOException | NumberFormatException e) {
            return new KernelSymbols(Map.of(), 0);
        }
        return new KernelSymbols(byAddress, callBase);
    }

    /** The symbol at exactly this address. */
    public Optional<String> at(long address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /**
     * The address of {@code __bpf_call_base}: a translated program's helper call holds the
     * helper's address minus this, in its immediate. 0 when hidden.
     */
    public long callBase() {
        return callBase;
    }

    /** Whether any addresses were readable. */
    public boolean isEmpty() {
        return byAddress.isEmpty();
    }
}
