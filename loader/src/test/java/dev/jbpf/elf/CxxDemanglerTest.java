package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * C++ names of libjvm's own symbol table demangled by libstdc++'s {@code __cxa_demangle}
 * through FFM: the same text as binutils' {@code c++filt}, which this test runs on the same
 * names where it is installed.
 */
@UnitTest
class CxxDemanglerTest {
    /** The running JDK's libjvm.so: a large C++ library with a full .symtab on Debian and Temurin. */
    private static final Path LIBJVM = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");

    @Test
    void aKnownLibjvmNameDemangles() {
        assertTrue(CxxDemangler.available(), () -> CxxDemangler.unavailableReason().orElse(""));
        // JavaThread::run() is the body of every Java thread: in every HotSpot's libjvm
        assertEquals(Optional.of("JavaThread::run()"), CxxDemangler.demangle("_ZN10JavaThread3runEv"));
        assertEquals(Optional.of("JavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*)"),
                CxxDemangler.demangle("_ZN9JavaCalls11call_helperEP9JavaValueRK12methodHandleP17JavaCallArgumentsP10JavaThread"));
        // not C++ (a C function), and a name that starts like one but is not valid under the ABI
        assertEquals(Optional.empty(), CxxDemangler.demangle("jni_CallStaticVoidMethod"));
        assertEquals(Optional.empty(), CxxDemangler.demangle("_Zgarbage!"));
        assertEquals(Optional.empty(), CxxDemangler.demangle("_Z"));
    }

    /** Every 40th C++ function of libjvm's .symtab (over a thousand names) reads as c++filt prints it. */
    @Test
    void libjvmNamesReadAsCxxFiltPrintsThem() throws Exception {
        Path cxxfilt = Path.of("/usr/bin/c++filt");
        Assumptions.assumeTrue(Files.isExecutable(cxxfilt), "binutils' c++filt is not installed (the literal pairs above still run)");
        List<String> mangled = new ArrayList<>();
        List<ElfSymbol> functions = ElfFile.read(LIBJVM).functions();
        for (int i = 0; i < functions.size(); i++) {
            String name = functions.get(i).name();
            if (CxxDemangler.isMangled(name) && i % 40 == 0) {
                mangled.add(name);
            }
        }
        assertTrue(mangled.size() > 500, LIBJVM + " has only " + mangled.size() + " sampled C++ functions: stripped?");
        List<String> expected = cxxFilt(cxxfilt, mangled);
        assertEquals(mangled.size(), expected.size());
        int clones = 0;
        for (int i = 0; i < mangled.size(); i++) {
            String name = mangled.get(i);
            // c++filt echoes what it cannot demangle; the demangler says there is nothing to show
            Optional<String> want = expected.get(i).equals(name) ? Optional.empty() : Optional.of(expected.get(i));
            assertEquals(want, CxxDemangler.demangle(name), name);
            clones += expected.get(i).contains("[clone ") ? 1 : 0;
        }
        System.out.println(mangled.size() + " libjvm names demangled as c++filt does (" + clones + " clones)");
    }

    private static List<String> cxxFilt(Path cxxfilt, List<String> names) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(cxxfilt.toString()).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream in = process.getOutputStream()) {
            in.write((String.join("\n", names) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "c++filt did not finish");
        return output.join().lines().toList();
    }
}
