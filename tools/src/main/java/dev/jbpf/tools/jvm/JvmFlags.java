package dev.jbpf.tools.jvm;

import dev.jbpf.elf.ElfFile;
import dev.jbpf.elf.ElfSymbol;
import dev.jbpf.elf.ProcessMaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    private static final long JCMD_TIMEOUT_SECONDS = 30;

    private JvmFlags() {
    }

    static Optional<Boolean> booleanFlag(JvmProcess target, String name) {
        ElfFile libjvm = ElfFile.read(target.libjvmFile());
        if (libjvm.symbols().stream().anyMatch(symbol -> !symbol.dynamic())) {
            return fromMemory(target, libjvm, name);
        }
        return fromJcmd(target, name);
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

    /** {@code jcmd PID VM.flags -all} of the target's JDK; empty when the JVM lists no such flag. */
    static Optional<Boolean> fromJcmd(JvmProcess target, String name) {
        Path jcmd = Path.of("/proc", Integer.toString(target.pid()), "root")
                .resolve(target.javaHome().toString().substring(1)).resolve("bin/jcmd");
        String why = target.libjvm() + " has no symbol table, and ";
        if (!Files.isExecutable(jcmd)) {
            throw new IllegalStateException("cannot tell whether " + target.describe() + " runs with -XX:+" + name + ": "
                    + why + "its Java has no jcmd (" + target.javaHome().resolve("bin/jcmd") + ") to ask it");
        }
        String output;
        int status;
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Integer.toString(target.pid()), "VM.flags", "-all")
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("cannot tell whether " + target.describe() + " runs with -XX:+" + name
                        + ": " + why + "jcmd VM.flags did not answer in " + JCMD_TIMEOUT_SECONDS + " s");
            }
            status = process.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot tell whether " + target.describe() + " runs with -XX:+" + name + ": "
                    + why + "jcmd failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while jcmd read the flags of " + target.describe(), e);
        }
        Matcher flag = Pattern.compile("(?m)^\\s*bool\\s+" + Pattern.quote(name) + "\\s*=\\s*(true|false)\\b").matcher(output);
        if (flag.find()) {
            return Optional.of(flag.group(1).equals("true"));
        }
        if (status != 0 || !output.contains(" bool ")) {
            String first = output.lines().filter(line -> !line.isBlank()).findFirst().orElse("no output").strip();
            throw new IllegalStateException("cannot tell whether " + target.describe() + " runs with -XX:+" + name + ": "
                    + why + "jcmd VM.flags failed (exit " + status + "): " + first);
        }
        return Optional.empty();
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
