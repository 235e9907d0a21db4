package dev.jbpf.tools.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Perf map lines as HotSpot writes them (jcmd Compiler.perfmap on JDK 17 and 25), read into frames. */
@UnitTest
class PerfMapTest {
    private static final List<String> HOTSPOT_LINES = List.of(
            "0x00007f6708940b80 0x0000000000017de0 Interpreter",
            "0x00007f6708958a00 0x00000000000001b0 I2C/C2I adapters",
            "0x00007f9d13938360 0x00000000000007d0 StubRoutines (initialstubs)",
            "0x00007f6708f20c80 0x00000000000000d8 long JavaHot.spinHotMethod(long)",
            "0x00007f6708ec74a0 0x0000000000000200 void java.lang.System.arraycopy(java.lang.Object, int, java.lang.Object, int, int)",
            "0x00007f6708ec78a0 0x00000000000000d0 java.lang.Object java.lang.invoke.LambdaForm$MH/0x0000000800c01000.invoke(java.lang.Object)",
            "7f6708ec8000 40 perfmapagent_style_without_0x",
            "not a map line",
            "0x00007f6708ec9000 0x0 zero-sized: nothing");

    @Test
    void hotspotNamesBecomeJavaInterpretedAndStubFrames() {
        PerfMap map = new PerfMap();
        map.add(HOTSPOT_LINES);
        assertEquals(new PerfMap.Symbol("Interpreter", Profile.FrameKind.INTERPRETED), map.find(0x00007f6708940b80L + 0x100));
        assertEquals(new PerfMap.Symbol("I2C/C2I adapters", Profile.FrameKind.STUB), map.find(0x00007f6708958a00L));
        assertEquals(new PerfMap.Symbol("StubRoutines (initialstubs)", Profile.FrameKind.STUB), map.find(0x00007f9d13938361L));
        // a compiled method: CLASS.METHOD, as async-profiler names it, return type and parameters dropped
        assertEquals(new PerfMap.Symbol("JavaHot.spinHotMethod", Profile.FrameKind.JAVA), map.find(0x00007f6708f20c80L + 0xd7));
        assertEquals(new PerfMap.Symbol("java.lang.System.arraycopy", Profile.FrameKind.JAVA), map.find(0x00007f6708ec74a0L));
        assertEquals(new PerfMap.Symbol("java.lang.invoke.LambdaForm$MH/0x0000000800c01000.invoke", Profile.FrameKind.JAVA),
                map.find(0x00007f6708ec78a0L));
        assertEquals("perfmapagent_style_without_0x", map.find(0x7f6708ec8010L).name());
        // the end is exclusive; gaps and zero-sized entries name nothing
        assertNull(map.find(0x00007f6708f20c80L + 0xd8));
        assertNull(map.find(0x00007f6708ec9000L));
        assertNull(map.find(0x1000));
    }

    @Test
    void aNewerSnapshotWinsWhereItOverlapsAnOlderOne() {
        PerfMap map = new PerfMap();
        map.add(List.of("0x1000 0x100 long Old.method()", "0x2000 0x100 long Freed.method()"));
        map.add(List.of("0x1000 0x80 long New.method()"));
        assertEquals("New.method", map.find(0x1010).name());
        assertEquals("Old.method", map.find(0x1090).name(), "the older one still names what the newer lacks");
        assertEquals("Freed.method", map.find(0x2000).name());
    }

    @Test
    void onlyARegularFileIsRead(@TempDir Path dir) throws Exception {
        Path real = dir.resolve("perf-1.map");
        Files.writeString(real, "0x1000 0x10 void A.b()\n");
        Path link = dir.resolve("perf-2.map");
        Files.createSymbolicLink(link, real);
        PerfMap map = new PerfMap();
        assertFalse(map.read(link, -1), "a symbolic link could point anywhere");
        assertFalse(map.read(dir.resolve("perf-3.map"), -1));
        assertTrue(map.isEmpty());
        if ((Integer) Files.getAttribute(real, "unix:uid") == 0) {
            Files.setAttribute(real, "unix:uid", 4242); // as root: a file of another user
        }
        int owner = (Integer) Files.getAttribute(real, "unix:uid");
        assertFalse(map.read(real, owner + 1), "owned by neither the process's user nor root: perf ignores it too");
        assertTrue(map.isEmpty());
        assertTrue(map.read(real, owner));
        assertEquals("A.b", map.find(0x1000).name());
    }
}
