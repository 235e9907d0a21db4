package dev.jbpf.testing;

import dev.jbpf.elf.UsdtProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What GNU readelf (binutils) says about a file: the reference the ELF tests compare jbpf's
 * own parsing with. Runs {@code readelf} in the C locale; fails the test when it cannot.
 */
public final class Readelf {
    private Readelf() {
    }

    /** The output of {@code readelf ARGS FILE}. */
    public static String run(Path file, String... args) {
        List<String> command = new ArrayList<>(List.of("readelf"));
        command.addAll(List.of(args));
        command.add(file.toString());
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("LC_ALL", "C");
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run readelf (binutils)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** How many notes {@code readelf -n} describes as NT_STAPSDT: the file's USDT probes. */
    public static int usdtNoteCount(Path file) {
        return (int) run(file, "-n").lines().filter(line -> line.contains("NT_STAPSDT")).count();
    }

    /**
     * The USDT probes as {@code readelf -n} prints them, in file order: provider, name,
     * location, semaphore and arguments of each stapsdt note. The location is the note's, not
     * adjusted for prelinking: the same as jbpf's address for a file never prelinked, whose
     * notes' base is where {@code .stapsdt.base} is.
     */
    public static List<UsdtProbe> usdtProbes(Path file) {
        List<UsdtProbe> probes = new ArrayList<>();
        String provider = null;
        String name = null;
        long location = 0;
        long semaphore = 0;
        for (String line : run(file, "-n").lines().map(String::strip).toList()) {
            if (line.startsWith("Provider: ")) {
                provider = line.substring("Provider: ".length());
            } else if (line.startsWith("Name: ")) {
                name = line.substring("Name: ".length());
            } else if (line.startsWith("Location: ")) {
                // Location: 0x00000000006f16fc, Base: 0x00000000014636c0, Semaphore: 0x0000000000000000
                String[] fields = line.split(",\\s*");
                location = Long.parseUnsignedLong(fields[0].substring("Location: 0x".length()), 16);
                semaphore = Long.parseUnsignedLong(fields[2].substring("Semaphore: 0x".length()), 16);
            } else if (line.startsWith("Arguments:")) {
                probes.add(new UsdtProbe(provider, name, location, semaphore, line.substring("Arguments:".length()).strip()));
            }
        }
        return probes;
    }

    /** Whether {@code readelf -S} lists a section of that name. */
    public static boolean hasSection(Path file, String section) {
        return run(file, "-S", "--wide").lines().anyMatch(line -> line.matches(".*\\]\\s+" + java.util.regex.Pattern.quote(section) + "\\s.*"));
    }
}
