package dev.jbpf.tools.jvm;

import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import dev.jbpf.elf.ProcessMaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HotSpot's boolean flags of a running JVM ({@link JvmProcess#booleanFlag}), and the check the
 * tools whose probes HotSpot fires only behind a flag make before attaching.
 *
 * <p>Why not the command line: /proc/PID/cmdline misses flags set through
 * {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code @argfiles}, {@code -XX:Flags=} and
 * {@code -XX:VMOptionsFile=}, and flags one flag implies ({@code -XX:+ExtendedDTraceProbes} sets
 * the three {@code DTrace*Probes}). The JVM's own answer is in its memory: each flag is a global
 * variable of libjvm.so named after it, which the symbol table locates. {@code jcmd} asks the
 * JVM too, but through its attach mechanism (which starts a thread and loads classes in the
 * target, needs a JDK with jcmd and fails under {@code -XX:+DisableAttachMechanism}), so it is
 * the fallback for a libjvm.so without a symbol table.
 */
final class JvmFlags {
    private JvmFlags() {
    }

    /**
     * A flag's value and where it was read, for messages.
     *
     * @param value the flag's value; empty when this JVM has no such flag
     * @param source "the flag in its memory", or "jcmd PID VM.flags"
     */
    record Reading(Optional<Boolean> value, String source) { }

    static Optional<Boolean> booleanFlag(JvmProcess target, String name) {
        return read(target, name).value();
    }

    static Reading read(JvmProcess target, String name) {
        ElfFile libjvm = ElfFile.read(target.libjvmFile());
        if (libjvm.symbols().stream().anyMatch(symbol -> !symbol.dynamic())) {
            return new Reading(fromMemory(target, libjvm, name), "the flag in its memory");
        }
        return new Reading(fromJcmd(target, name), "jcmd " + target.pid() + " VM.flags");
    }

    /** The flag's byte in the process's memory, located by libjvm.so's symbol table; empty when it has no such symbol. */
    static Optional<Boolean> fromMemory(JvmProcess target, ElfFile libjvm, String name) {
        Optional<ElfSymbol> symbol = libjvm.symbols().stream()
                .filter(s -> s.name().equals(name) && s.kind() == ElfSymbol.Kind.OBJECT).findFirst();
        if (symbol.isEmpty()) {
            return Optional.empty();
        }
        long address = loadBias(target, libjvm) + symbol.get().address();
        Path mem = Path.of("/proc", Integer.toString(target.pid()), "mem");
        try (FileChannel channel = FileChannel.open(mem, StandardOpenOption.READ)) {
            ByteBuffer value = ByteBuffer.allocate(1);
            if (channel.read(value, address) != 1) {
                throw new IllegalStateException("cannot read -XX:" + name + " of " + target.describe() + ": nothing at "
                        + Long.toHexString(address) + " in " + mem);
            }
            return Optional.of(value.get(0) != 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read -XX:" + name + " of " + target.describe() + " from " + mem + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Where libjvm.so is loaded in the process: its address minus the file's virtual address, from
     * a mapping of the file (page-aligned file offset) and the PT_LOAD segment that covers it.
     */
    private static long loadBias(JvmProcess target, ElfFile libjvm) {
        for (ProcessMaps.Mapping mapping : ProcessMaps.read(target.pid())) {
            if (!mapping.path().equals(target.libjvm().toString())) {
                continue;
            }
            for (ElfFile.LoadSegment segment : libjvm.loadSegments()) {
                long pageStart = segment.offset() & ~0xfffL;
                if (mapping.offset() >= pageStart && mapping.offset() < segment.offset() + segment.fileSize()) {
                    return mapping.start() - (segment.virtualAddress() - segment.offset() + mapping.offset());
                }
            }
        }
        throw new IllegalStateException(target.describe() + " no longer maps " + target.libjvm());
    }

    /** {@code jcmd PID VM.flags -all} (see {@link Jcmd}); empty when the JVM lists no such flag. */
    static Optional<Boolean> fromJcmd(JvmProcess target, String name) {
        String output;
        try {
            output = Jcmd.run(target, "VM.flags", "-all");
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot tell whether " + target.describe() + " runs with -XX:+" + name + ": "
                    + target.libjvm() + " has no symbol table, and " + e.getMessage(), e);
        }
        Matcher flag = Pattern.compile("(?m)^\\s*bool\\s+" + Pattern.quote(name) + "\\s*=\\s*(true|false)\\b").matcher(output);
        return flag.find() ? Optional.of(flag.group(1).equals("true")) : Optional.empty();
    }

    /**
     * Fails unless the target runs with the flag HotSpot fires {@code probe} behind: says which
     * flag to start it with (on JDKs that have it, -XX:+ExtendedDTraceProbes too).
     *
     * @throws IllegalStateException when the flag is off or this JVM has no such flag
     */
    static void require(JvmProcess target, String flag, String probe) {
        Optional<Boolean> value = target.booleanFlag(flag);
        if (value.orElse(false)) {
            return;
        }
        if (value.isEmpty()) {
            throw new IllegalStateException(target.describe() + " has no flag -XX:+" + flag + ", without which HotSpot does not fire "
                    + JvmProcess.PROVIDER + ":" + probe);
        }
        boolean extended = target.booleanFlag("ExtendedDTraceProbes").isPresent();
        throw new IllegalStateException(target.describe() + " runs without -XX:+" + flag + ", without which HotSpot does not fire "
                + JvmProcess.PROVIDER + ":" + probe + ": restart it with -XX:+" + flag
                + (extended ? " or -XX:+ExtendedDTraceProbes" : " (this JDK has no -XX:+ExtendedDTraceProbes)"));
    }
}
