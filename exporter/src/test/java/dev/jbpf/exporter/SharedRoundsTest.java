package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rounds: callers that arrive while a value is made share the next one, made after they arrived. */
@UnitTest
class SharedRoundsTest {
    private final SharedRounds<String, Integer> rounds = new SharedRounds<>();
    private final AtomicInteger made = new AtomicInteger();
    private final CountDownLatch firstStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirst = new CountDownLatch(1);

    private Integer make() {
        int n = made.incrementAndGet();
        if (n == 1) {
            firstStarted.countDown();
            await(releaseFirst);
        }
        return n;
    }

    @Test
    void callersArrivingDuringARoundShareTheNextOneMadeOnce() throws Exception {
        try (ExecutorService threads = Executors.newFixedThreadPool(11)) {
            Future<Integer> first = threads.submit(() -> rounds.get("text", this::make));
            assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
            List<Thread> waiting = new ArrayList<>();
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                CompletableFuture<Thread> thread = new CompletableFuture<>();
                later.add(threads.submit(() -> {
                    thread.complete(Thread.currentThread());
                    return rounds.get("text", this::make);
                }));
                waiting.add(thread.get(10, TimeUnit.SECONDS));
            }
            awaitBlocked(waiting); // all ten joined round 2 (its maker waits for round 1 to finish)
            releaseFirst.countDown();
            assertEquals(1, first.get(10, TimeUnit.SECONDS));
            for (Future<Integer> f : later) {
                assertEquals(2, f.get(10, TimeUnit.SECONDS)); // not round 1's value: it began before they arrived
            }
            assertEquals(2, made.get());
        }
    }

    @Test
    void theLastUserOfARoundReleasesItsValueOnce() throws Exception {
        List<Integer> released = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch using = new CountDownLatch(1);
        CountDownLatch finishUsing = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            // a caller still using round 1's value keeps it; a later round does not release it
            Future<Integer> slow = threads.submit(() -> rounds.use("text", made::incrementAndGet, value -> {
                using.countDown();
                await(finishUsing);
                return value;
            }, released::add));
            assertTrue(using.await(10, TimeUnit.SECONDS));
            assertEquals(2, rounds.<Integer>use("text", made::incrementAndGet, value -> value, released::add).intValue());
            assertEquals(List.of(2), released);
            finishUsing.countDown();
            assertEquals(1, slow.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(2, 1), released);
        }
    }

    @Test
    void eachKeyHasItsRoundsAndAFailureReachesOnlyItsRound() {
        assertEquals(1, rounds.get("text", made::incrementAndGet));
        assertEquals(2, rounds.get("openmetrics", made::incrementAndGet));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rounds.get("text", () -> {
            throw new IllegalStateException("map read failed");
        }));
        assertEquals("map read failed", e.getMessage());
        assertEquals(3, rounds.get("text", made::incrementAndGet));
    }

    private static void awaitBlocked(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread thread : threads) {
            while (thread.getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < deadline, thread + " never blocked: " + thread.getState());
                Thread.sleep(5);
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
