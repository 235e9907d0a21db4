package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.map.BpfMap;
import dev.jbpf.testing.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** jbpf map create / push / peek / pop / freeze on a queue (and push on a bloom filter) the test creates in the kernel. */
@KernelTest
class MapKindsCliTest {
    private final Path dir = Path.of("/sys/fs/bpf", "jbpf-test-kinds-" + ProcessHandle.current().pid());

    @AfterEach
    void unpin() throws Exception {
        BadInputTest.deleteRecursively(dir);
    }

    @Test
    void queueInOrderThenFrozen() {
        Path queue = dir.resolve("q");
        Jbpf.Result create = Jbpf.run("map", "create", queue.toString(), "--type", "queue", "--value", "4", "--entries", "8");
        assertEquals(0, create.exitCode(), create::toString);
        assertTrue(Files.exists(queue));
        Jbpf.Result show = Jbpf.run("map", "show", "pinned", queue.toString());
        assertTrue(show.out().contains("queue  name q"), show::toString);

        for (int i = 1; i <= 3; i++) {
            Jbpf.Result push = Jbpf.run("map", "push", "pinned", queue.toString(), "value", String.valueOf(i), "0", "0", "0");
            assertEquals(0, push.exitCode(), push::toString);
        }
        assertEquals("value: 01 00 00 00\n", Jbpf.run("map", "peek", "pinned", queue.toString()).out());
        assertEquals("value: 01 00 00 00\n", Jbpf.run("map", "pop", "pinned", queue.toString()).out());
        assertEquals("value: 02 00 00 00\n", Jbpf.run("map", "pop", "pinned", queue.toString()).out());

        assertEquals(0, Jbpf.run("map", "freeze", "pinned", queue.toString()).exitCode());
        Jbpf.Result frozen = Jbpf.run("map", "push", "pinned", queue.toString(), "value", "9", "0", "0", "0");
        assertEquals(Main.EXIT_FAILED, frozen.exitCode(), frozen::toString);
        assertTrue(frozen.err().contains("frozen"), frozen::toString);

        Jbpf.Result again = Jbpf.run("map", "create", queue.toString(), "--type", "queue", "--value", "4", "--entries", "8");
        assertEquals(Main.EXIT_FAILED, again.exitCode(), again::toString);
        Jbpf.Result badType = Jbpf.run("map", "create", dir.resolve("x").toString(), "--type", "nope", "--value", "4",
                "--entries", "8");
        assertEquals(Main.EXIT_USAGE, badType.exitCode(), badType::toString);
        assertTrue(badType.err().contains("lru_hash"), badType::toString);
    }

    @Test
    void poppingAnEmptyQueueSaysSo() {
        Path queue = dir.resolve("empty");
        assertEquals(0, Jbpf.run("map", "create", queue.toString(), "--type", "stack", "--value", "8", "--entries", "2").exitCode());
        Jbpf.Result pop = Jbpf.run("map", "pop", "pinned", queue.toString());
        assertEquals(Main.EXIT_FAILED, pop.exitCode(), pop::toString);
        assertTrue(pop.err().contains("empty"), pop::toString);
    }

    @Test
    void pushOntoABloomFilterButNoPop() {
        Path bloom = dir.resolve("bloom");
        assertEquals(0, Jbpf.run("map", "create", bloom.toString(), "--type", "bloom_filter", "--value", "4",
                "--entries", "64").exitCode());
        Jbpf.Result push = Jbpf.run("map", "push", "pinned", bloom.toString(), "value", "7", "0", "0", "0");
        assertEquals(0, push.exitCode(), push::toString);
        try (BpfMap map = BpfMap.openPinned(bloom)) {
            assertTrue(map.asBloomFilter().mightContain(new byte[] {7, 0, 0, 0}), "the value reached the kernel");
        }
        Jbpf.Result pop = Jbpf.run("map", "pop", "pinned", bloom.toString());
        assertEquals(Main.EXIT_FAILED, pop.exitCode(), pop::toString);
        assertTrue(pop.err().contains("pop bloom: not for a bloom_filter map (only queue, stack)"), pop::toString);
    }
}
