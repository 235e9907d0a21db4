package dev.jbpf.exporter;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Makes one value for every caller that waits for it: callers of one key that arrive while no
 * round of that key is waiting start one; callers that arrive while it waits join it; a round
 * closes when it starts being made, so every value was made after each caller it serves arrived
 * (never a stale value). One round is made at a time (a fair lock across keys), so N concurrent
 * callers cost one making per round instead of N. Holds no native memory; a value is its
 * callers' until the last of them is done with it ({@link #use}).
 *
 * @param <K> what makes two calls want the same value
 * @param <T> the value
 */
final class SharedRounds<K, T> {
    private static final class Round<T> {
        final CompletableFuture<T> value = new CompletableFuture<>();
        /** Callers that joined and are not done with the value yet; guarded by {@code waiting}. */
        int users;
    }

    private final ReentrantLock making = new ReentrantLock(true);
    /** Rounds not yet started, by key; guarded by itself. Bounded by the callers waiting. */
    private final Map<K, Round<T>> waiting = new HashMap<>();

    /** The value of the next round of {@code key}, made by {@code make} unless a caller of that round makes it. */
    T get(K key, Supplier<T> make) {
        return use(key, make, Function.identity(), value -> {
        });
    }

    /**
     * Applies {@code use} to the value of the next round of {@code key}; when the last caller of
     * that round is done with it, {@code unused} gets the value (so a maker can bound how many
     * values are alive at once: {@link SharedScrapeHandler}).
     */
    <R> R use(K key, Supplier<T> make, Function<T, R> use, Consumer<T> unused) {
        Round<T> round;
        boolean maker;
        synchronized (waiting) {
            round = waiting.get(key);
            maker = round == null;
            if (maker) {
                round = new Round<>();
                waiting.put(key, round);
            }
            round.users++;
        }
        if (maker) {
            making.lock();
            try {
                synchronized (waiting) {
                    waiting.remove(key, round); // callers from now on wait for the round after this one
                }
                round.value.complete(make.get());
            } catch (RuntimeException | Error e) {
                round.value.completeExceptionally(e);
            } finally {
                making.unlock();
            }
        }
        T value;
        try {
            value = round.value.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
        try {
            return use.apply(value);
        } finally {
            boolean last;
            synchronized (waiting) {
                last = --round.users == 0;
            }
            if (last) {
                unused.accept(value);
            }
        }
    }
}
