package dev.jbpf.codegen;

import static dev.jbpf.codegen.GeneratedCode.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.TypedMap;
import dev.jbpf.map.TypedQueue;
import dev.jbpf.ringbuf.RingBuffer;
import dev.jbpf.ringbuf.RingBufferMap;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.UnitTest;
import java.math.BigInteger;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated skeleton of codegen_shapes.bpf.o against the kernel: compiled as a user's build
 * would, loaded from the classpath resource next to it, configured through .rodata, and every
 * field the BPF program wrote read back through the generated records; a Java-written value
 * round-trips through the kernel's map; an object whose layout moved is refused at open.
 */
class SkeletonKernelTest {
    private static final int PID = (int) ProcessHandle.current().pid();
    private static Path classes;
    private static URLClassLoader loader;
    private static Class<?> skeleton;

    @BeforeAll
    static void generateAndCompile(@TempDir Path dir) throws Exception {
        Path shapes = TestSupport.bpfObject("codegen_shapes");
        Path sources = dir.resolve("src");
        SkeletonGenerator.write(shapes, new SkeletonGenerator.Options("shapes", null, List.of("shape_event")), sources);
        classes = Files.createDirectories(dir.resolve("classes"));
        GeneratedCode.compile(GeneratedCode.javaFiles(sources), classes);
        // as the Maven plugin packages it: the object next to its class
        Files.copy(shapes, classes.resolve("shapes/codegen_shapes.bpf.o"));
        loader = GeneratedCode.loader(classes);
        skeleton = loader.loadClass("shapes.CodegenShapes");
    }

    private static Object field(Object record, String component) throws Throwable {
        return call(record, component);
    }

    @Test
    @SuppressWarnings("unchecked")
    @KernelTest
    void everyFieldTheProgramWroteArrivesTyped() throws Throwable {
        Object opened = call(skeleton, "open");
        call(opened, "targetPid", PID);
        try (AutoCloseable loaded = (AutoCloseable) call(opened, "load")) {
            assertEquals("hello", call(loaded, "greeting"), ".rodata char[8] as a String");
            assertEquals(PID, call(loaded, "targetPid"));
            call(loaded, "attachAll");
            Class<?> eventType = loader.loadClass("shapes.CodegenShapes$ShapeEvent");
            RingBufferMap<Object> ring = (RingBufferMap<Object>) call(loaded, "events", eventType);
            List<Object> events = new ArrayList<>();
            try (RingBuffer buffer = ring.subscribe(events::add)) {
                TestSupport.getppid(3);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (events.size() < 3 && System.nanoTime() < deadline) {
                    buffer.poll(Duration.ofMillis(100));
                }
            }
            assertEquals(3, events.size(), "one record per getppid: " + events);
            for (int i = 0; i < 3; i++) {
                assertEquals(PID, field(events.get(i), "pid"));
                assertEquals(i + 1, field(events.get(i), "seq"));
            }
            assertEquals(3L, call(loaded, "hits"), ".bss counter");

            TypedMap<Object, Object> values = (TypedMap<Object, Object>) call(loaded, "values");
            Map.Entry<Object, Object> entry = values.entries().getFirst();
            assertEquals(7, field(entry.getKey(), "this_"));
            assertEquals("shapes", field(entry.getKey(), "comm"));
            Object value = entry.getValue();
            assertEquals(9L, field(value, "id"), "hits (3) times the .data multiplier (3)");
            assertEquals("shape", field(value, "name"));
            assertArrayEquals(new byte[] {127, 0, 0, 1}, (byte[]) field(value, "addr"));
            assertArrayEquals(new int[][] {{0, 1, 2}, {10, 11, 12}}, (int[][]) field(value, "grid"));
            Object secondPoint = ((Object[]) field(value, "points"))[1];
            assertEquals(5, field(secondPoint, "x"));
            assertEquals(-6, field(secondPoint, "y"));
            assertEquals(9, field(field(value, "origin"), "x"));
            assertEquals((short) 0xbeef, field(field(value, "pair"), "hi"));
            assertEquals("COLOR_BLUE", field(value, "color").toString());
            assertEquals("BIG_HUGE", field(value, "big").toString());
            assertEquals(1L << 32, call(field(value, "big"), "value"));
            assertEquals("MODE_B", field(value, "mode").toString());
            assertEquals(0x01020304, field(field(value, "overlay"), "asInt"));
            assertArrayEquals(new byte[] {4, 3, 2, 1}, (byte[]) field(field(value, "overlay"), "asBytes"));
            assertEquals((short) 640, field(value, "width"));
            assertEquals((short) 480, field(value, "height"));
            assertEquals(0x80000001, field(value, "rawFlags"));
            assertEquals(5, field(value, "low"));
            assertEquals(-3, field(value, "negative"));
            assertEquals("COLOR_GREEN", field(value, "tint").toString());
            assertEquals(true, field(value, "enabled"));
            assertEquals(11, field(value, "class_"));
            assertEquals(12, field(value, "new_"));
            assertEquals(13, field(value, "defaultValue"));
            assertEquals(BigInteger.valueOf(-2), field(value, "huge"));

            Object names = call(loaded, "names");
            assertEquals(21, field(names, "wait_"), "a component renamed from wait");
            assertEquals(22, field(names, "hashCode_"));
            assertEquals("other", field(names, "word").toString(), "the enum constant next to one named value");
            assertEquals(1, field(names, "keyword"), "an enum Java cannot name: native's integer");
            assertEquals(2, field(names, "anon"));
            assertEquals((byte) 23, field(field(field(names, "outer"), "inner"), "depth"));
            assertEquals((short) 24, field(((Object[]) field(names, "items"))[1], "a"));
            assertArrayEquals(new String[] {"", "abc"}, (String[]) field(names, "lines"));

            TypedQueue<Object> points = (TypedQueue<Object>) call(loaded, "points");
            Object popped = points.pop().orElseThrow();
            assertEquals(-1, field(popped, "x"));
            assertEquals(2, field(popped, "y"));
            assertEquals(popped, call(loaded, "lastPoint"), ".bss struct as a record");

            // .data written from Java is what the program uses next
            call(loaded, "multiplier", 5);
            TestSupport.getppid(1);
            assertEquals(20L, field(values.entries().getFirst().getValue(), "id"), "hits (4) times the new multiplier (5)");

            // a value written from Java comes back the same through the kernel's map (an anonymous union member set)
            Class<?> keyType = loader.loadClass("shapes.CodegenShapes$ShapeKey");
            Object otherKey = keyType.getDeclaredConstructors()[0].newInstance(99, "java");
            Object copy = withRawFlags(value, 0x7f);
            values.put(otherKey, copy);
            Object back = values.get(otherKey).orElseThrow();
            assertEquals(0x7f, field(back, "rawFlags"), "the union member that was set wins over the zero one");
            assertEquals(field(value, "huge"), field(back, "huge"));
            assertEquals(field(value, "tint"), field(back, "tint"));
        }
    }

    /** value with rawFlags changed and ratio (the same bytes) zero. */
    private static Object withRawFlags(Object value, int rawFlags) throws Exception {
        var components = value.getClass().getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = components[i].getAccessor().invoke(value);
            if (components[i].getName().equals("rawFlags")) {
                args[i] = rawFlags;
            } else if (components[i].getName().equals("ratio")) {
                args[i] = 0.0f;
            }
        }
        return value.getClass().getDeclaredConstructors()[0].newInstance(args);
    }

    @Test
    @UnitTest
    void anObjectWhoseLayoutMovedIsRefusedAtOpen() {
        Path moved = TestSupport.bpfObject("codegen_shapes_v2");
        // libbpf names objects with at most 15 characters
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> call(skeleton, "open", moved));
        assertEquals("codegen_shapes_ does not match CodegenShapes: struct shape_event.pid moved from bit 0 to bit 32;"
                + " regenerate the skeleton from this object", e.getMessage());
        assertTrue(Files.exists(classes.resolve("shapes/CodegenShapes.class")));
    }
}
