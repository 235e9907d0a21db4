package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.testing.Readelf;
import dev.jbpf.testing.TracingSupport;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UsdtProbes.read on real binaries, compared with what GNU readelf says of the same files: the
 * libjvm.so of every installed JDK (500+ probes each), a PIE with semaphores and two providers
 * (usdt_target), a non-PIE executable (trace_target), a binary without probes; and select's
 * answers, typos included.
 */
@UnitTest
class UsdtProbesTest {
    @TempDir
    Path dir;

    /** The libjvm.so files of the installed JDKs that have USDT probes (HotSpot built with DTrace support). */
    private static List<Path> libjvmsWithProbes() {
        List<Path> found = TracingSupport.libjvms().stream().filter(libjvm -> Readelf.usdtNoteCount(libjvm) > 0).toList();
        if (found.isEmpty()) {
            System.out.println("SKIPPED: no installed libjvm.so has USDT probes: " + TracingSupport.libjvms());
        }
        assumeFalse(found.isEmpty(), "no installed libjvm.so has USDT probes");
        return found;
    }

    @Test
    void libjvmProbesOfEveryJdkAreThoseReadelfPrints() {
        for (Path libjvm : libjvmsWithProbes()) {
            List<UsdtProbe> probes = UsdtProbes.read(libjvm);
            // the count, by readelf's own count of NT_STAPSDT notes
            assertEquals(Readelf.usdtNoteCount(libjvm), probes.size(), libjvm.toString());
            assertTrue(probes.size() > 100, libjvm + ": " + probes.size());
            // and every field of every probe, in file order
            assertEquals(Readelf.usdtProbes(libjvm), probes, libjvm.toString());
            // the same probes as the whole file's reading gives
            assertEquals(ElfFile.read(libjvm).usdtProbes(), probes, libjvm.toString());
            assertTrue(probes.stream().anyMatch(probe -> probe.qualifiedName().equals("hotspot:thread__start")),
                    libjvm + " has no hotspot:thread__start");
        }
    }

    @Test
    void semaphoresProvidersAndCallSitesOfAPie() {
        Path binary = TracingSupport.usdtTargetBinary();
        List<UsdtProbe> probes = UsdtProbes.read(binary);
        assertEquals(Readelf.usdtProbes(binary), probes);
        assertEquals(List.of("jbpf_demo:start", "jbpf_demo:step", "jbpf_demo:step", "jbpf_other:done"),
                probes.stream().map(UsdtProbe::qualifiedName).toList());
        UsdtProbe start = probes.get(0);
        assertEquals("", start.arguments());
        assertEquals(0, start.argumentCount());
        for (UsdtProbe probe : probes) {
            assertNotEquals(0, probe.semaphore(), probe + ": every probe of usdt_target has a semaphore");
        }
        // two call sites of one probe: two addresses, one semaphore
        assertNotEquals(probes.get(1).address(), probes.get(2).address());
        assertEquals(probes.get(1).semaphore(), probes.get(2).semaphore());
        assertNotEquals(probes.get(0).semaphore(), probes.get(1).semaphore());
        // the semaphore is a variable of the file: its symbol is there, at that address
        ElfFile elf = ElfFile.read(binary);
        assertEquals(ElfFile.ET_DYN, elf.type(), "usdt_target is a PIE");
        assertEquals(start.semaphore(), elf.symbols().stream().filter(s -> s.name().equals("jbpf_demo_start_semaphore"))
                .findFirst().orElseThrow().address());

        UsdtProbe trace = UsdtProbes.read(TracingSupport.traceTargetBinary()).getFirst();
        assertEquals(new UsdtProbe("jbpf", "tick", trace.address(), 0, "-8@%rbx -8@%rax"), trace,
                "trace_target's probe: no semaphore, two signed 8-byte arguments");
    }

    @Test
    void aBinaryWithoutProbesHasNone() throws IOException {
        Path busy = TracingSupport.busyTargetBinary();
        assertFalse(Readelf.hasSection(busy, ".note.stapsdt"), "busy_target has no USDT probes");
        assertEquals(List.of(), UsdtProbes.read(busy));
        Path text = Files.writeString(dir.resolve("not-elf"), "#!/bin/sh\n");
        assertTrue(assertThrows(BpfException.class, () -> UsdtProbes.read(text)).getMessage().contains("is not an ELF file"));
        assertThrows(BpfNotFoundException.class, () -> UsdtProbes.read(dir.resolve("missing")));
    }

    @Test
    void selectTakesAProviderOrAProbeAndOffersTheClosestNames() {
        Path binary = TracingSupport.usdtTargetBinary();
        List<UsdtProbe> probes = UsdtProbes.read(binary);
        assertEquals(3, UsdtProbes.select(probes, "jbpf_demo", null, "in " + binary).size());
        assertEquals(List.of(probes.get(1), probes.get(2)), UsdtProbes.select(probes, "jbpf_demo", "step", "in " + binary));
        // as few names as these are all offered
        BpfNotFoundException provider = assertThrows(BpfNotFoundException.class,
                () -> UsdtProbes.select(probes, "jbpf_dmo", null, "in " + binary));
        assertEquals("find USDT provider jbpf_dmo in " + binary + ": no such provider; it has jbpf_demo, jbpf_other",
                provider.getMessage());
        BpfNotFoundException none = assertThrows(BpfNotFoundException.class,
                () -> UsdtProbes.select(List.of(), "jbpf_demo", "step", "in /bin/true"));
        assertEquals("find USDT probe jbpf_demo:step in /bin/true: it has no USDT probes (no .note.stapsdt section)",
                none.getMessage());

        // among 500+ probes, a typo gets the three closest
        Path libjvm = libjvmsWithProbes().getFirst();
        List<UsdtProbe> jvm = UsdtProbes.read(libjvm);
        BpfNotFoundException typo = assertThrows(BpfNotFoundException.class,
                () -> UsdtProbes.select(jvm, "hotspot", "thread__strat", "in " + libjvm));
        String offered = typo.getMessage().replaceFirst(".*; similar: ", "").replaceFirst(" \\(it has \\d+\\)$", "");
        List<String> names = List.of(offered.split(", "));
        assertEquals(3, names.size(), typo.getMessage());
        assertEquals("hotspot:thread__start", names.getFirst(), typo.getMessage());
        long distinct = jvm.stream().map(UsdtProbe::qualifiedName).distinct().count();
        assertTrue(typo.getMessage().endsWith("(it has " + distinct + ")"), typo.getMessage());
        // a provider typo in provider:name is a typo of the whole name
        BpfNotFoundException providerTypo = assertThrows(BpfNotFoundException.class,
                () -> UsdtProbes.select(jvm, "hotspt", "thread__start", "in " + libjvm));
        assertTrue(providerTypo.getMessage().contains("; similar: hotspot:thread__start"), providerTypo.getMessage());
        // and of a provider alone, the closest providers
        BpfNotFoundException providerOnly = assertThrows(BpfNotFoundException.class,
                () -> UsdtProbes.select(jvm, "hotspt", null, "in " + libjvm));
        String providers = jvm.stream().map(UsdtProbe::provider).distinct().sorted().collect(Collectors.joining(", "));
        assertTrue(providerOnly.getMessage().startsWith("find USDT provider hotspt in " + libjvm + ": no such provider; "),
                providerOnly.getMessage());
        assertTrue(providerOnly.getMessage().contains("similar: hotspot") || providerOnly.getMessage().endsWith(providers),
                providerOnly.getMessage() + " / " + providers);
    }
}
