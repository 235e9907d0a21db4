package dev.jbpf.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** clang's dependency files, and when an object is out of date. */
// unit: no kernel, no privileges. This module does not reach dev.jbpf.testing (loader's test jar),
// so the tag is plain; scripts/test-summary reads it from this line.
@Tag("unit")
class DepFileTest {
    @Test
    void parsesMakeRulesAsClangWritesThem() {
        String rule = "/w/target/jbpf/obj/.x.bpf.o.tmp: /w/src/main/bpf/x.bpf.c \\\n  /cache/vmlinux.h /usr/include/bpf/bpf_helpers.h \\\n"
                + "  /w/src/main/bpf/my\\ header.h\n";
        assertEquals(List.of(Path.of("/w/src/main/bpf/x.bpf.c"), Path.of("/cache/vmlinux.h"),
                Path.of("/usr/include/bpf/bpf_helpers.h"), Path.of("/w/src/main/bpf/my header.h")), DepFile.parse(rule));
        assertEquals(List.of(), DepFile.parse(""));
    }

    @Test
    void anObjectIsOutOfDateWhenAPrerequisiteIsNewerOrGone(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("x.bpf.c"), "int x;");
        Path header = Files.writeString(dir.resolve("x.h"), "");
        Path object = Files.writeString(dir.resolve("x.bpf.o"), "o");
        Path depFile = Files.writeString(dir.resolve("x.d"), "x.bpf.o: " + source + " " + header + "\n");
        Instant now = Instant.now();
        Files.setLastModifiedTime(source, FileTime.from(now.minusSeconds(10)));
        Files.setLastModifiedTime(header, FileTime.from(now.minusSeconds(10)));
        Files.setLastModifiedTime(object, FileTime.from(now));
        assertTrue(DepFile.upToDate(object, depFile));
        Files.setLastModifiedTime(header, FileTime.from(now.plusSeconds(1)));
        assertFalse(DepFile.upToDate(object, depFile), "a header changed");
        Files.setLastModifiedTime(header, FileTime.from(now.minusSeconds(10)));
        Files.delete(header);
        assertFalse(DepFile.upToDate(object, depFile), "a header is gone");
        assertFalse(DepFile.upToDate(dir.resolve("missing.o"), depFile), "no object");
        assertFalse(DepFile.upToDate(object, dir.resolve("missing.d")), "no dependency file");
    }
}
