package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracing attach points as values: argument checks in Java, and how messages name them. */
@UnitTest
class TracingAttachPointTest {
    @Test
    void kprobes() {
        assertEquals(new Kprobe("do_sys_openat2", 0, 0, false), Kprobe.entry("do_sys_openat2"));
        assertEquals(new Kprobe("f", 0, 0, true), Kprobe.ret("f"));
        assertEquals("kprobe tcp_v4_connect+0x4 (cookie 0x2a)",
                Kprobe.entry("tcp_v4_connect").withOffset(4).withCookie(42).describe());
        assertEquals("kretprobe f", Kprobe.ret("f").describe());
        assertThrows(IllegalArgumentException.class, () -> Kprobe.ret("f").withOffset(4));
        assertThrows(IllegalArgumentException.class, () -> Kprobe.entry("f").withOffset(-1));
        assertThrows(IllegalArgumentException.class, () -> Kprobe.entry(""));
        assertThrows(IllegalArgumentException.class, () -> Kprobe.entry("do sys"));
        assertThrows(NullPointerException.class, () -> Kprobe.entry(null));
        assertEquals("kretsyscall openat (cookie 0x1)", new Ksyscall("openat").withRetprobe(true).withCookie(1).describe());
        assertThrows(IllegalArgumentException.class, () -> new Ksyscall(" "));
    }

    @Test
    void kprobeMulti() {
        assertEquals("kprobe.multi tcp_*", KprobeMulti.matching("tcp_*").describe());
        assertEquals("kretprobe.multi a,b", KprobeMulti.of("a", "b").withRetprobe(true).describe());
        assertEquals("kprobe.multi a,b,c,... (4 functions)", KprobeMulti.of("a", "b", "c", "d").describe());
        assertEquals(List.of(1L, 2L), KprobeMulti.of("a", "b").withCookies(List.of(1L, 2L)).cookies());
        assertThrows(IllegalArgumentException.class, () -> KprobeMulti.of("a", "b").withCookies(List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> KprobeMulti.matching("tcp_*").withCookies(List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> KprobeMulti.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new KprobeMulti("p", List.of("a"), List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new KprobeMulti(null, null, null, false));
        assertThrows(NullPointerException.class, () -> KprobeMulti.of(Arrays.asList("a", null)));
        List<String> symbols = new java.util.ArrayList<>(List.of("a"));
        KprobeMulti copy = KprobeMulti.of(symbols);
        symbols.add("b");
        assertEquals(List.of("a"), copy.symbols(), "lists are copied");
    }

    @Test
    void uprobes() {
        assertEquals(new Uprobe("libc.so.6", "malloc", 0, -1, 0, false), Uprobe.entry("libc.so.6", "malloc"));
        assertEquals("uretprobe libc.so.6:malloc in pid 42 (cookie 0x7)",
                Uprobe.ret("libc.so.6", "malloc").withPid(42).withCookie(7).describe());
        assertEquals("uprobe /bin/app:main+0x10 in this process",
                Uprobe.entry(Path.of("/bin/app"), "main").withOffset(16).withPid(0).describe());
        assertEquals("uprobe /bin/app:0x1234", Uprobe.atFileOffset(Path.of("/bin/app"), 0x1234).describe());
        assertEquals("./app", Uprobe.entry(Path.of("app"), "main").binary(), "a Path is never a library name");
        assertThrows(IllegalArgumentException.class, () -> Uprobe.ret("a", "f").withOffset(4));
        assertThrows(IllegalArgumentException.class, () -> Uprobe.entry("a", "f").withPid(-2));
        assertThrows(IllegalArgumentException.class, () -> Uprobe.entry("a", "f").withOffset(-1));
        assertThrows(IllegalArgumentException.class, () -> Uprobe.entry("", "f"));
        assertThrows(IllegalArgumentException.class, () -> Uprobe.entry("a", "f g"));
        assertThrows(NullPointerException.class, () -> Uprobe.entry("a", null));
        assertEquals("uprobe.multi libc.so.6:getp*id", UprobeMulti.matching("libc.so.6", "getp*id").describe());
        assertEquals("uretprobe.multi b:f,g in pid 3",
                UprobeMulti.of("b", List.of("f", "g")).withPid(3).withRetprobe(true).describe());
        assertThrows(IllegalArgumentException.class, () -> UprobeMulti.of("b", List.of("f")).withCookies(List.of(1L, 2L)));
        assertThrows(IllegalArgumentException.class, () -> UprobeMulti.matching("b", "f*").withCookies(List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> UprobeMulti.of("b", List.of()));
    }

    @Test
    void usdtTracingAndLsm() {
        assertEquals("usdt /bin/app:prov:name in pid 9 (cookie 0x1)",
                Usdt.of(Path.of("/bin/app"), "prov", "name").withPid(9).withCookie(1).describe());
        assertThrows(IllegalArgumentException.class, () -> Usdt.of("a", "", "n"));
        assertThrows(IllegalArgumentException.class, () -> Usdt.of("a", "p", "n").withPid(-3));
        assertEquals(0, new Tracing().cookie());
        assertTrue(new Tracing(5).describe().endsWith("(cookie 0x5)"));
        assertEquals(new Lsm(), new Lsm());
        assertTrue(new Lsm().describe().startsWith("LSM hook"));
    }
}
