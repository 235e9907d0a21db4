package dev.jbpf.bindings;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.UnionLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares every generated layout with what gcc says: sizeof and _Alignof of every record
 * class (and of the nested classes of untagged record fields) and offsetof of every
 * non-bitfield field, including those reached through anonymous members; and the value of
 * every constant.
 */
// unit: no kernel, no privileges. This module does not reach dev.jbpf.testing (loader's test jar),
// so the tag is plain; scripts/test-summary reads it from this line.
@Tag("unit")
class LayoutTest {

    static final String HEADERS = """
            #include <stddef.h>
            #include <stdio.h>
            #include <bpf/libbpf.h>
            #include <bpf/bpf.h>
            #include <bpf/btf.h>
            #include <bpf/libbpf_common.h>
            #include <bpf/libbpf_version.h>
            #include <linux/bpf.h>
            #include <linux/perf_event.h>
            """;

    private static final Set<String> RENAMED = Set.of("LAYOUT", "sizeof", "allocate", "default", "int", "long",
            "char", "short", "byte", "class", "enum", "const", "static", "switch", "case", "do", "if", "else", "for",
            "while", "return", "new", "this", "super", "final", "public", "private", "protected", "native",
            "volatile", "transient", "void", "boolean", "float", "double", "package", "import", "interface",
            "abstract", "assert", "break", "catch", "continue", "extends", "finally", "goto", "implements",
            "instanceof", "strictfp", "synchronized", "throw", "throws", "try", "true", "false", "null");

    /** Java name → C name: the generator appends '_' to Java keywords and helper names. */
    static String cName(String java) {
        if (java.endsWith("_") && RENAMED.contains(java.substring(0, java.length() - 1))) {
            return java.substring(0, java.length() - 1);
        }
        return java;
    }

    /** The generated classes with a LAYOUT: the top-level record classes. */
    static List<Class<?>> recordClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(LibBpf.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/jbpf/bindings");
        List<Class<?>> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String f = p.getFileName().toString();
                if (!f.endsWith(".class") || f.contains("$")) continue;
                Class<?> c = Class.forName("dev.jbpf.bindings." + f.substring(0, f.length() - 6));
                if (layout(c) != null) out.add(c);
            }
        }
        return out;
    }

    static GroupLayout layout(Class<?> c) {
        try {
            Field f = c.getField("LAYOUT");
            return f.getType() == GroupLayout.class ? (GroupLayout) f.get(null) : null;
        } catch (NoSuchFieldException e) {
            return null;
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** Collects "what → expected" for class {@code c} as C expressions keyed by a readable name. */
    private static void expectations(Class<?> c, String cType, String path, long base, Map<String, String[]> out)
            throws IllegalAccessException {
        GroupLayout l = layout(c);
        String obj = path.isEmpty() ? "(*(" + cType + " *)0)" : "(((" + cType + " *)0)->" + path + ")";
        out.put("sizeof " + cType + (path.isEmpty() ? "" : " ." + path), new String[]{"sizeof" + obj, Long.toString(l.byteSize())});
        out.put("alignof " + cType + (path.isEmpty() ? "" : " ." + path), new String[]{"_Alignof" + obj, Long.toString(l.byteAlignment())});
        for (Field f : c.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !f.getName().endsWith("$OFFSET")) continue;
            String java = f.getName().substring(0, f.getName().length() - 7);
            String member = (path.isEmpty() ? "" : path + ".") + cName(java);
            long offset = base + f.getLong(null);
            out.put("offsetof " + cType + " ." + member,
                    new String[]{"offsetof(" + cType + ", " + member + ")", Long.toString(offset)});
        }
        for (Class<?> nested : c.getDeclaredClasses()) {
            if (layout(nested) == null) continue;
            String member = (path.isEmpty() ? "" : path + ".") + cName(nested.getSimpleName());
            long offset;
            try {
                offset = base + c.getField(nested.getSimpleName() + "$OFFSET").getLong(null);
            } catch (NoSuchFieldException e) {
                throw new AssertionError("nested class without field: " + nested, e);
            }
            expectations(nested, cType, member, offset, out);
        }
    }

    @Test
    void layoutsMatchGcc(@TempDir Path tmp) throws Exception {
        Map<String, String[]> expected = new TreeMap<>();
        List<Class<?>> classes = recordClasses();
        assertTrue(classes.size() > 50, "too few record classes found: " + classes.size());
        for (Class<?> c : classes) {
            String cType = (layout(c) instanceof UnionLayout ? "union " : "struct ") + c.getSimpleName();
            expectations(c, cType, "", 0, expected);
        }
        StringBuilder prog = new StringBuilder(HEADERS + "int main(void) {\n");
        for (var e : expected.entrySet()) {
            prog.append("    printf(\"%s\\t%zu\\n\", \"").append(e.getKey()).append("\", (size_t) ")
                    .append(e.getValue()[0]).append(");\n");
        }
        prog.append("    return 0;\n}\n");
        Path src = tmp.resolve("layouts.c"), exe = tmp.resolve("layouts");
        Files.writeString(src, prog);
        run(List.of("gcc", "-std=gnu11", "-w", "-o", exe.toString(), src.toString()));
        String output = run(List.of(exe.toString()));

        Map<String, String> actual = new TreeMap<>();
        for (String line : output.split("\n")) {
            int tab = line.indexOf('\t');
            actual.put(line.substring(0, tab), line.substring(tab + 1));
        }
        List<String> mismatches = new ArrayList<>();
        for (var e : expected.entrySet()) {
            String c = actual.get(e.getKey());
            if (!e.getValue()[1].equals(c)) mismatches.add(e.getKey() + ": Java " + e.getValue()[1] + ", gcc " + c);
        }
        assertEquals(expected.size(), actual.size(), "gcc printed a different number of values");
        if (!mismatches.isEmpty()) fail(mismatches.size() + " layout mismatches:\n" + String.join("\n", mismatches));
        System.out.println("LayoutTest: " + expected.size() + " sizes, alignments and offsets of "
                + classes.size() + " records match gcc");
    }

    /** Every BpfConstants value (enum constants and evaluated macros) against gcc's value of the same name. */
    @Test
    void constantsMatchGcc(@TempDir Path tmp) throws Exception {
        StringBuilder prog = new StringBuilder(HEADERS + "int main(void) {\n");
        Map<String, Long> expected = new TreeMap<>();
        for (Field f : BpfConstants.class.getFields()) {
            expected.put(f.getName(), ((Number) f.get(null)).longValue());
            prog.append("    printf(\"%s\\t%lld\\n\", \"").append(f.getName()).append("\", (long long) (")
                    .append(f.getName()).append("));\n");
        }
        prog.append("    return 0;\n}\n");
        assertTrue(expected.size() > 1000, "too few constants: " + expected.size());
        Path src = tmp.resolve("constants.c"), exe = tmp.resolve("constants");
        Files.writeString(src, prog);
        run(List.of("gcc", "-std=gnu11", "-w", "-o", exe.toString(), src.toString()));
        List<String> mismatches = new ArrayList<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            String[] kv = line.split("\t");
            long c = Long.parseLong(kv[1]);
            Field f = BpfConstants.class.getField(kv[0]);
            long java = expected.get(kv[0]);
            // an int constant holds the 32-bit pattern of an unsigned int value
            boolean same = f.getType() == int.class ? (int) c == (int) java && (c == java || c == (java & 0xFFFF_FFFFL)) : c == java;
            if (!same) mismatches.add(kv[0] + ": Java " + java + ", gcc " + c);
        }
        if (!mismatches.isEmpty()) fail(mismatches.size() + " constant mismatches:\n" + String.join("\n", mismatches));
    }

    /** Bitfield accessors against the bit positions the x86_64 ABI gives perf_event_attr. */
    @Test
    void bitfields() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = perf_event_attr.allocate(arena);
            perf_event_attr.disabled(attr, 1);
            perf_event_attr.precise_ip(attr, 3);   // bits 15-16 of the u64 at offset 40
            perf_event_attr.exclude_kernel(attr, 1);
            assertEquals(1L | 1L << 5 | 3L << 15, attr.get(JAVA_LONG, 40));
            assertEquals(3, perf_event_attr.precise_ip(attr));
            perf_event_attr.precise_ip(attr, 0);
            assertEquals(0, perf_event_attr.precise_ip(attr));
            assertEquals(1, perf_event_attr.disabled(attr));
            assertEquals(1L | 1L << 5, attr.get(JAVA_LONG, 40));
        }
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timeout: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }
}
