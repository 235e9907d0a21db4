package dev.jbpf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libbpf's messages reach the logger and the failing thread's error messages, and only those. */
@UnitTest
class LibBpfLogTest {
    @TempDir
    Path tmp;

    @Test
    void warningsAreFormattedAndKeptPerThread() throws Exception {
        Path corrupt = tmp.resolve("corrupt.bpf.o");
        byte[] header = Files.readAllBytes(Path.of(System.getProperty("jbpf.bpf.dir", "build/bpf"), "maps.bpf.o"));
        Files.write(corrupt, java.util.Arrays.copyOf(header, 64));
        try {
            BpfObject.open(corrupt);
        } catch (BpfException expected) {
            // the message is checked in BpfObjectTest
        }
        // %s arguments were substituted by vsnprintf: the path is in the text
        assertTrue(LibBpfLog.warnings().stream().anyMatch(w -> w.startsWith("libbpf: ") && w.contains(corrupt.toString())),
                LibBpfLog.warnings().toString());

        AtomicReference<String> otherThread = new AtomicReference<>("unset");
        Thread thread = new Thread(() -> otherThread.set(LibBpfLog.explanation()));
        thread.start();
        thread.join();
        assertNull(otherThread.get(), "another thread's warnings are not ours");

        LibBpfLog.begin();
        assertEquals(0, LibBpfLog.warnings().size());
    }
}
