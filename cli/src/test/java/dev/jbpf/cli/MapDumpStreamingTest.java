package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapType;
import dev.jbpf.testing.KernelTest;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * map dump -j streams: 300,000 entries through a jbpf process capped at a 32 MB heap (the JSON
 * tree of the whole dump would need some 400 MB, its string another 100 MB), every entry
 * arriving, the document well-formed at both ends.
 */
@KernelTest
class MapDumpStreamingTest {
    private static final int ENTRIES = 300_000;

    private static byte[] u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    @Test
    void aLargeDumpStreamsInASmallHeap() throws Exception {
        Path pin = Path.of("/sys/fs/bpf/jbpf-stream-" + ProcessHandle.current().pid());
        try (BpfMap map = BpfMap.create(MapType.HASH, "stream_test", 8, 8, ENTRIES)) {
            List<byte[]> keys = new ArrayList<>(ENTRIES);
            List<byte[]> values = new ArrayList<>(ENTRIES);
            for (int i = 0; i < ENTRIES; i++) {
                keys.add(u64(i));
                values.add(u64(i * 3L));
            }
            map.batch().update(keys, values);
            map.pin(pin);
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(Jbpf.projectDir().resolve("bin/jbpf").toString(), "map", "dump",
                    "pinned", pin.toString(), "-j").redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("JDK_JAVA_OPTIONS", "-Xmx32m");
            long start = System.nanoTime();
            Process process = builder.start();
            long bytes = 0;
            long keysSeen = 0;
            byte first = 0;
            byte last = 0;
            byte[] needle = "\"key\":".getBytes(StandardCharsets.US_ASCII);
            int matched = 0;
            try (InputStream out = process.getInputStream()) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = out.read(buffer)) > 0; ) {
                    if (bytes == 0) {
                        first = buffer[0];
                    }
                    for (int i = 0; i < n; i++) {
                        matched = buffer[i] == needle[matched] ? matched + 1 : (buffer[i] == needle[0] ? 1 : 0);
                        if (matched == needle.length) {
                            keysSeen++;
                            matched = 0;
                        }
                        if (buffer[i] != '\n') {
                            last = buffer[i];
                        }
                    }
                    bytes += n;
                }
            }
            assertTrue(process.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), "jbpf map dump -j in a 32 MB heap");
            System.out.printf("map dump -j: %d entries, %d MB of JSON in %d ms with -Xmx32m%n", keysSeen, bytes >> 20,
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(ENTRIES, keysSeen, "every entry");
            assertEquals('[', first);
            assertEquals(']', last);
        } finally {
            Files.deleteIfExists(pin);
        }
    }
}
