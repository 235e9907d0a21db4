package dev.jbpf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The rule that makes closes from other threads safe: close waits for uses in flight. */
@UnitTest
class OwnerTest {
    @Test
    void closeWaitsForAUseInAnotherThreadThenLaterUsesThrow() throws Exception {
        Owner owner = new Owner("object 'x'");
        CountDownLatch inside = new CountDownLatch(1);
        AtomicBoolean useEnded = new AtomicBoolean();
        Thread user = Thread.ofPlatform().start(() -> {
            try (Owner.Use use = owner.use()) {
                inside.countDown();
                Thread.sleep(300);
                useEnded.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        inside.await();
        long start = System.nanoTime();
        assertTrue(owner.close());
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(useEnded.get(), "close returned while the other thread was still using the owner");
        assertTrue(waitedMs >= 200, "close waited " + waitedMs + " ms");
        user.join();
        IllegalStateException after = assertThrows(IllegalStateException.class, owner::use);
        assertEquals("object 'x' is closed", after.getMessage());
        assertFalse(owner.close(), "closing twice");
    }

    @Test
    void closeFromInsideAUseThrowsInsteadOfDeadlocking() {
        Owner owner = new Owner("object 'x'");
        try (Owner.Use use = owner.use()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, owner::close);
            assertTrue(e.getMessage().startsWith("cannot close object 'x' while this thread is using it"), e.getMessage());
            assertTrue(owner.isOpen());
        }
        assertTrue(owner.close());
    }

    @Test
    void closeClosesWhatItOwnsAndOwnRefusesAfterClose() {
        Owner owner = new Owner("object 'x'");
        AtomicBoolean closed = new AtomicBoolean();
        owner.own(() -> closed.set(true));
        owner.close();
        assertTrue(closed.get());
        assertThrows(IllegalStateException.class, () -> owner.own(() -> { }));
    }
}
