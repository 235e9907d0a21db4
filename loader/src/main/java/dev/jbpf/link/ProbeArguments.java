package dev.jbpf.link;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/** Argument checks and native arrays shared by the probe attach points (kprobes, uprobes, USDT). */
final class ProbeArguments {
    private ProbeArguments() {
    }

    /** -1 (every process), 0 (this process) or a process id. */
    static void requirePid(int pid) {
        if (pid < -1) {
            throw new IllegalArgumentException("pid must be -1 (every process), 0 (this process) or a process id, was "
                    + pid);
        }
    }

    static void requireOffset(long offset, String what) {
        if (offset < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, was " + offset);
        }
    }

    /** A kernel or ELF symbol name: not blank, no whitespace. */
    static void requireSymbol(String symbol, String what) {
        AttachPoints.requireName(symbol, what);
        if (symbol.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(what + " must not contain whitespace: '" + symbol + "'");
        }
    }

    /** An immutable copy of {@code names}, each checked as a symbol. */
    static List<String> symbols(List<String> names, String what) {
        Objects.requireNonNull(names, what);
        List<String> copy = List.copyOf(names); // rejects null elements
        for (String name : copy) {
            requireSymbol(name, what + " element");
        }
        return copy;
    }

    /** An immutable copy of {@code cookies} (null → empty), empty or one per probed symbol. */
    static List<Long> cookies(List<Long> cookies, int symbols, String forWhat) {
        List<Long> copy = cookies == null ? List.of() : List.copyOf(cookies);
        if (!copy.isEmpty() && copy.size() != symbols) {
            throw new IllegalArgumentException("cookies must be empty or one per " + forWhat + ": " + copy.size()
                    + " cookies for " + symbols);
        }
        return copy;
    }

    /** A native {@code const char *[]} of the names, allocated in {@code arena}. */
    static MemorySegment stringArray(List<String> names, Arena arena) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, names.size());
        for (int i = 0; i < names.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(names.get(i)));
        }
        return array;
    }

    /** A native {@code __u64[]} (or {@code unsigned long[]}: the same on 64-bit Linux) of the values. */
    static MemorySegment longArray(List<Long> values, Arena arena) {
        MemorySegment array = arena.allocate(ValueLayout.JAVA_LONG, values.size());
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.JAVA_LONG, i, values.get(i));
        }
        return array;
    }

    static String cookieSuffix(long cookie) {
        return cookie == 0 ? "" : " (cookie 0x" + Long.toHexString(cookie) + ")";
    }

    static String pidSuffix(int pid) {
        return switch (pid) {
            case -1 -> "";
            case 0 -> " in this process";
            default -> " in pid " + pid;
        };
    }
}
