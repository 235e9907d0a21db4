package dev.jbpf.ringbuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.Codec;
import dev.jbpf.map.MapType;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.VmTest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** opensnoop.bpf.o: opening a file from Java makes the kernel send a record we can read. */
@SuppressWarnings("try")
@KernelTest
@VmTest
class RingBufferTest {
    /** struct open_event (bpf-src/opensnoop.h). */
    static final int PID = 0, TID = 4, UID = 8, FLAGS = 12, COMM = 16, FILENAME = 32, SIZE = 32 + 256;

    record OpenEvent(int pid, int tid, int uid, int flags, String comm, String filename) {
        static OpenEvent parse(MemorySegment r) {
            return new OpenEvent(r.get(ValueLayout.JAVA_INT_UNALIGNED, PID), r.get(ValueLayout.JAVA_INT_UNALIGNED, TID),
                    r.get(ValueLayout.JAVA_INT_UNALIGNED, UID), r.get(ValueLayout.JAVA_INT_UNALIGNED, FLAGS),
                    cString(r.asSlice(COMM, 16)), cString(r.asSlice(FILENAME, 256)));
        }

        static String cString(MemorySegment s) {
            byte[] b = s.toArray(ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }

    static Path uniqueFile() throws IOException {
        return Files.createTempFile("jbpf-rb-" + ProcessHandle.current().pid() + "-", ".txt");
    }

    @Test
    void ownOpenArrivesWithItsFields() throws IOException {
        int pid = (int) ProcessHandle.current().pid();
        Path file = uniqueFile();
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            BpfMap events = object.map("events");
            assertEquals(MapType.RINGBUF, events.type());
            List<OpenEvent> mine = new ArrayList<>();
            AtomicInteger sizes = new AtomicInteger(-1);
            try (RingBuffer ring = RingBuffer.builder().add(events, record -> {
                OpenEvent e = OpenEvent.parse(record);
                if (e.pid() == pid && e.filename().equals(file.toString())) {
                    mine.add(e);
                    sizes.set((int) record.byteSize());
                }
            }).build();
                 BpfLink link = object.program("trace_openat").attach()) {
                Files.readAllBytes(file); // openat(2) with our pid and this name
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (mine.isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        fail("no record for " + file + " within 5 s");
                    }
                    ring.poll(Duration.ofMillis(200));
                }
            }
            OpenEvent e = mine.get(0);
            assertEquals(pid, e.pid());
            assertTrue(e.tid() > 0);
            assertEquals(0, e.uid(), "root runs the test");
            assertEquals(0, e.flags() & 3, "opened read-only (O_RDONLY)");
            assertTrue(!e.comm().isEmpty(), "comm of the opening thread");
            assertEquals(SIZE, sizes.get(), "record size is sizeof(struct open_event)");

            long count = object.map("counts").typed(Codec.INT, Codec.LONG).get(pid).orElse(0L);
            assertTrue(count > 0, "counts[" + pid + "] = " + count);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void oneRingBufferOverTwoMaps() throws IOException {
        int pid = (int) ProcessHandle.current().pid();
        Path file = uniqueFile();
        try (LoadedObject first = BpfObject.open(TestSupport.bpfObject("opensnoop")).load();
             LoadedObject second = BpfObject.open(TestSupport.bpfObject("opensnoop")).load()) {
            AtomicInteger fromFirst = new AtomicInteger(), fromSecond = new AtomicInteger();
            RecordHandler counter1 = record -> {
                OpenEvent e = OpenEvent.parse(record);
                if (e.pid() == pid && e.filename().equals(file.toString())) {
                    fromFirst.incrementAndGet();
                }
            };
            RecordHandler counter2 = record -> {
                OpenEvent e = OpenEvent.parse(record);
                if (e.pid() == pid && e.filename().equals(file.toString())) {
                    fromSecond.incrementAndGet();
                }
            };
            try (RingBuffer ring = RingBuffer.builder().add(first.map("events"), counter1)
                    .add(second.map("events"), counter2).build();
                 BpfLink l1 = first.program("trace_openat").attach();
                 BpfLink l2 = second.program("trace_openat").attach()) {
                Files.readAllBytes(file);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (fromFirst.get() == 0 || fromSecond.get() == 0) {
                    if (System.nanoTime() > deadline) {
                        fail("records: first " + fromFirst + ", second " + fromSecond);
                    }
                    ring.poll(Duration.ofMillis(200));
                }
            }
            assertEquals(1, fromFirst.get());
            assertEquals(1, fromSecond.get());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void handlerExceptionComesOutOfPoll() throws IOException {
        Path file = uniqueFile();
        IllegalStateException boom = new IllegalStateException("boom from handler");
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("opensnoop")).load();
             RingBuffer ring = RingBuffer.builder().add(object.map("events"), record -> {
                 throw boom;
             }).build();
             BpfLink link = object.program("trace_openat").attach()) {
            RuntimeException thrown = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (thrown == null && System.nanoTime() < deadline) {
                Files.readAllBytes(file);
                try {
                    ring.poll(Duration.ofMillis(200));
                } catch (RuntimeException e) {
                    thrown = e;
                }
            }
            assertSame(boom, thrown, "the handler's own exception, as is");

            // a checked exception comes wrapped, the ring buffer still works afterwards
            ring.close();
            assertThrows(IllegalStateException.class, () -> ring.poll(Duration.ZERO));
            try (RingBuffer checked = RingBuffer.builder().add(object.map("events"), record -> {
                throw new IOException("checked");
            }).build()) {
                BpfException wrapped = null;
                deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (wrapped == null && System.nanoTime() < deadline) {
                    Files.readAllBytes(file);
                    try {
                        checked.poll(Duration.ofMillis(200));
                    } catch (BpfException e) {
                        wrapped = e;
                    }
                }
                assertTrue(wrapped != null && wrapped.getCause() instanceof IOException, String.valueOf(wrapped));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void recordsAreInvalidAfterTheCallback() throws IOException {
        Path file = uniqueFile();
        AtomicReference<MemorySegment> kept = new AtomicReference<>();
        try (LoadedObject object = BpfObject.open(TestSupport.bpfObject("opensnoop")).load();
             RingBuffer ring = RingBuffer.builder().add(object.map("events"), record -> {
                 assertTrue(record.isReadOnly());
                 kept.compareAndSet(null, record);
             }).build();
             BpfLink link = object.program("trace_openat").attach()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (kept.get() == null && System.nanoTime() < deadline) {
                Files.readAllBytes(file);
                ring.poll(Duration.ofMillis(200));
            }
            assertTrue(kept.get() != null, "no record within 5 s");
            assertThrows(IllegalStateException.class, () -> kept.get().get(ValueLayout.JAVA_INT, 0));
            assertTrue(ring.consume() >= 0);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void closedRingBufferThrows() {
        try (BpfMap map = BpfMap.create(MapType.RINGBUF, "jbpf_t_rbclose", 0, 0, 4096 * 4)) {
            RingBuffer ring = RingBuffer.builder().add(map, record -> { }).build();
            assertEquals(0, ring.poll(Duration.ofMillis(10)));
            assertEquals(0, ring.consume());
            assertTrue(ring.epollFd() >= 0);
            ring.close();
            ring.close();
            assertThrows(IllegalStateException.class, () -> ring.poll(Duration.ZERO));
            assertThrows(IllegalStateException.class, ring::consume);
            assertThrows(IllegalStateException.class, ring::epollFd);
        }
    }

    @Test
    void closeWhilePollingFromAnotherThread() throws Exception {
        try (BpfMap map = BpfMap.create(MapType.RINGBUF, "jbpf_t_rbrace", 0, 0, 4096 * 4)) {
            RingBuffer ring = RingBuffer.builder().add(map, record -> { }).build();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread poller = new Thread(() -> {
                try {
                    outcome.set(ring.poll(Duration.ofSeconds(30)));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            poller.start();
            Thread.sleep(300);
            assertThrows(IllegalStateException.class, () -> ring.poll(Duration.ZERO), "one poller at a time");
            long start = System.nanoTime();
            ring.close();
            poller.join(5_000);
            assertTrue(!poller.isAlive(), "poll returned after close");
            assertTrue(System.nanoTime() - start < 2_000_000_000L);
            assertEquals(0, outcome.get());
            assertThrows(IllegalStateException.class, () -> ring.poll(Duration.ZERO));
        }
    }

    @Test
    void onlyRingBufferMapsAreAccepted() {
        try (BpfMap hash = BpfMap.create(MapType.HASH, "jbpf_t_nrb", 4, 4, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RingBuffer.builder().add(hash, record -> { }));
            assertTrue(e.getMessage().contains("jbpf_t_nrb"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> RingBuffer.builder().build());
    }

    @Test
    void copyGivesTheBytes() {
        assertEquals(3, RingBuffer.copy(MemorySegment.ofArray(new byte[] {1, 2, 3})).length);
    }
}
