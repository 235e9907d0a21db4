package dev.jbpf.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.testing.KernelEffects;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapType;
import dev.jbpf.map.TypedMap;
import dev.jbpf.testing.KernelTest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Java writes samples into a user ring buffer; user_ringbuf.bpf.o's program drains them with
 * bpf_user_ringbuf_drain on this process's getppid(2) and copies them into a map.
 */
@SuppressWarnings("try")
@KernelTest
class UserRingBufferTest {

    static LoadedObject load() {
        LoadedObject object = BpfObject.open(TestSupport.bpfObject("user_ringbuf")).load();
        object.map("target_tgid").typed(Codec.INT, Codec.INT).put(0, KernelEffects.pid());
        return object;
    }

    /** received[0] counts the samples the program drained, received[1 + n] holds sample n. */
    static List<Long> received(LoadedObject object) {
        TypedMap<Integer, Long> received = object.map("received").typed(Codec.INT, Codec.LONG);
        long count = received.get(0).orElseThrow();
        List<Long> values = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            values.add(received.get(i).orElseThrow());
        }
        return values;
    }

    @Test
    void samplesArriveInTheKernelInOrder() {
        try (LoadedObject object = load();
                UserRingBuffer ring = UserRingBuffer.of(object.map("user_rb"));
                BpfLink link = object.program("drain_user_rb").attach()) {
            TypedMap<Integer, Long> drains = object.map("drains").typed(Codec.INT, Codec.LONG);
            TestSupport.getppid(1);
            assertEquals(1L, drains.get(0).orElseThrow(), "the program ran");
            assertEquals(List.of(), received(object), "nothing submitted, nothing drained");

            List<Long> sent = new ArrayList<>();
            for (long v = 1; v <= 5; v++) {
                assertTrue(ring.submit(Codec.LONG.encode(v * 111)));
                sent.add(v * 111);
            }
            // written in place: a 16-byte sample whose first 8 bytes the program copies
            UserRingBuffer.Sample sample = ring.reserve(16).orElseThrow();
            assertEquals(16, sample.size());
            sample.data().set(ValueLayout.JAVA_LONG, 0, 4242L);
            sample.data().set(ValueLayout.JAVA_LONG, 8, -1L);
            sample.submit();
            sent.add(4242L);
            // discarded: the kernel never sees it
            UserRingBuffer.Sample dropped = ring.reserve(8).orElseThrow();
            dropped.data().set(ValueLayout.JAVA_LONG, 0, 999L);
            dropped.discard();
            assertTrue(ring.submit(Codec.LONG.encode(7L)));
            sent.add(7L);

            assertEquals(List.of(), received(object), "nothing arrives before the program drains");
            TestSupport.getppid(1);
            assertEquals(sent, received(object), "every submitted sample, in order, without the discarded one");
            long drained = drains.get(1).orElseThrow();
            assertTrue(drained == sent.size() || drained == sent.size() + 1,
                    "bpf_user_ringbuf_drain returned " + drained + " (kernels differ on counting the discarded one)");

            assertThrows(IllegalStateException.class, sample::data, "a submitted sample is gone");
            assertThrows(IllegalStateException.class, sample::submit);
            assertThrows(IllegalStateException.class, dropped::discard);

            TestSupport.getppid(1);
            assertEquals(sent, received(object), "drained once: nothing comes twice");
        }
    }

    @Test
    void fullRingSaysSoAndRecoversAfterADrain() {
        try (LoadedObject object = load();
                UserRingBuffer ring = UserRingBuffer.of(object.map("user_rb"))) {
            int ringSize = object.map("user_rb").maxEntries();
            assertEquals(ringSize - 8, ring.maxSampleSize());
            int sampleSize = 1000; // 1008 bytes with its header
            int fitted = 0;
            while (ring.submit(new byte[sampleSize])) {
                fitted++;
                assertTrue(fitted <= ringSize / 1008, "more samples than fit: " + fitted);
            }
            assertEquals(ringSize / 1008, fitted, "filled to the brim");
            assertEquals(Optional.empty(), ring.reserve(sampleSize));
            long start = System.nanoTime();
            assertEquals(Optional.empty(), ring.reserve(sampleSize, Duration.ofMillis(50)));
            assertTrue(System.nanoTime() - start >= 40_000_000L, "the blocking reserve waited");

            try (BpfLink link = object.program("drain_user_rb").attach()) {
                TestSupport.getppid(1);
            }
            assertTrue(ring.submit(Codec.LONG.encode(5L)), "room again after the program drained");
            assertThrows(IllegalArgumentException.class, () -> ring.reserve(0));
            assertThrows(IllegalArgumentException.class, () -> ring.reserve(ringSize));
            assertThrows(IllegalArgumentException.class, () -> ring.submit(new byte[0]));
        }
    }

    @Test
    void samplesBelongToTheirThreadAndCloseDiscardsThem() throws Exception {
        try (LoadedObject object = load()) {
            BpfMap map = object.map("user_rb");
            UserRingBuffer ring = UserRingBuffer.of(map);
            UserRingBuffer.Sample mine = ring.reserve(8).orElseThrow();
            AtomicReference<Throwable> other = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    mine.submit();
                } catch (Throwable t) {
                    other.set(t);
                }
            });
            thread.start();
            thread.join();
            assertTrue(other.get() instanceof IllegalStateException, "another thread may not submit: " + other.get());

            ring.close();
            ring.close(); // twice is fine
            assertThrows(IllegalStateException.class, mine::data, "closing discarded this thread's sample");
            assertThrows(IllegalStateException.class, () -> ring.submit(new byte[8]));
            assertThrows(IllegalStateException.class, () -> ring.reserve(8));
            assertThrows(IllegalStateException.class, ring::maxSampleSize);

            try (UserRingBuffer again = UserRingBuffer.of(map);
                    BpfLink link = object.program("drain_user_rb").attach()) {
                assertTrue(again.submit(Codec.LONG.encode(31L)));
                TestSupport.getppid(1);
                assertEquals(List.of(31L), received(object), "the discarded sample never reached the kernel");
            }
        }
    }

    @Test
    void aBlockedReserveDoesNotBlockOtherSamples() throws Exception {
        try (BpfMap user = BpfMap.create(MapType.USER_RINGBUF, "jbpf_t_urb2", 0, 0, 4096)) {
            UserRingBuffer ring = UserRingBuffer.of(user);
            UserRingBuffer.Sample mine = ring.reserve(2000).orElseThrow();
            assertTrue(ring.submit(new byte[2000]));
            AtomicReference<Optional<UserRingBuffer.Sample>> blocked = new AtomicReference<>();
            Thread waiter = new Thread(() -> blocked.set(ring.reserve(2000, Duration.ofMillis(1500))));
            waiter.start();
            Thread.sleep(200); // let it block in user_ring_buffer__reserve_blocking
            long start = System.nanoTime();
            mine.data().set(ValueLayout.JAVA_LONG, 0, 1L);
            mine.submit();
            assertTrue(System.nanoTime() - start < 500_000_000L, "submit did not wait for the blocked reserve");
            ring.close(); // waits for the blocked reserve to give up
            waiter.join();
            assertEquals(Optional.empty(), blocked.get(), "no program drained: no room came");
        }
    }

    @Test
    void onlyUserRingBufferMaps() {
        try (BpfMap ringbuf = BpfMap.create(MapType.RINGBUF, "jbpf_t_krb", 0, 0, 4096)) {
            assertThrows(IllegalArgumentException.class, () -> UserRingBuffer.of(ringbuf));
        }
        try (BpfMap user = BpfMap.create(MapType.USER_RINGBUF, "jbpf_t_urb", 0, 0, 4096);
                UserRingBuffer ring = UserRingBuffer.of(user)) {
            assertEquals(4096 - 8, ring.maxSampleSize());
            MemorySegment data = ring.reserve(4096 - 8).orElseThrow().data();
            assertEquals(4088, data.byteSize());
            assertFalse(ring.submit(new byte[8]), "the one sample fills the ring");
        }
    }
}
