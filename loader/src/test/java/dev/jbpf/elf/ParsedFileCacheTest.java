package dev.jbpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.BpfException;
import dev.jbpf.elf.ElfBuilder.Sym;
import dev.jbpf.testing.UnitTest;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache behind ElfFile.read: a file is parsed once while unchanged, and again as soon as it
 * is rewritten in place, replaced by another file, or touched.
 */
@UnitTest
class ParsedFileCacheTest {
    @TempDir
    Path dir;

    private final AtomicInteger parses = new AtomicInteger();
    private final Function<Path, ElfFile> counting = path -> {
        parses.incrementAndGet();
        return ElfFile.read(path);
    };

    /** A synthetic ELF file whose function foo is at {@code address} (same size for any address). */
    private static byte[] elfWithFooAt(long address) {
        return new ElfBuilder(ByteOrder.LITTLE_ENDIAN).symtab(Sym.function("foo", address, ElfBuilder.STB_GLOBAL)).build();
    }

    /** Writes the file and dates it {@code secondsAgo} back: settled, as files not just written are. */
    private static Path write(Path file, byte[] bytes, long secondsAgo) throws IOException {
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
        return file;
    }

    @Test
    void anUnchangedFileIsParsedOnce() throws IOException {
        ParsedFileCache<ElfFile> cache = new ParsedFileCache<>(4);
        Path file = write(dir.resolve("a.so"), elfWithFooAt(0x7010), 3600);
        ElfFile first = cache.get(file, counting);
        assertSame(first, cache.get(file, counting));
        assertEquals(1, parses.get());
        assertEquals(0x1010, first.fileOffsetOf("foo"));
    }

    @Test
    void aFileRewrittenReplacedOrTouchedIsParsedAgain() throws IOException {
        ParsedFileCache<ElfFile> cache = new ParsedFileCache<>(4);
        Path file = write(dir.resolve("a.so"), elfWithFooAt(0x7010), 3600);
        assertEquals(0x1010, cache.get(file, counting).fileOffsetOf("foo"));

        // rewritten in place (same inode, same size): the new offset, not the kept one
        write(file, elfWithFooAt(0x7020), 1800);
        assertEquals(0x1020, cache.get(file, counting).fileOffsetOf("foo"));
        assertEquals(2, parses.get());

        // replaced by another file (a new inode), even with the same size and time
        Path other = dir.resolve("other.so");
        Files.write(other, elfWithFooAt(0x7030));
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(file));
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0x1030, cache.get(file, counting).fileOffsetOf("foo"));
        assertEquals(3, parses.get());

        // touched: contents may have changed, so parsed again
        ElfFile before = cache.get(file, counting);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        assertNotSame(before, cache.get(file, counting));
        assertEquals(4, parses.get());
        assertEquals(1, cache.size(), "older versions of a file are dropped");
    }

    @Test
    void aFileModifiedJustNowIsNotKept() throws IOException {
        // within one tick of the file clock a same-size rewrite would not change the identity
        ParsedFileCache<ElfFile> cache = new ParsedFileCache<>(4);
        Path file = dir.resolve("fresh.so");
        Files.write(file, elfWithFooAt(0x7010));
        cache.get(file, counting);
        cache.get(file, counting);
        assertEquals(2, parses.get());
        assertEquals(0, cache.size());
    }

    @Test
    void atMostCapacityFilesAreKeptLeastRecentlyUsedDroppedFirst() throws IOException {
        ParsedFileCache<ElfFile> cache = new ParsedFileCache<>(2);
        Path a = write(dir.resolve("a.so"), elfWithFooAt(0x7010), 3600);
        Path b = write(dir.resolve("b.so"), elfWithFooAt(0x7010), 3600);
        Path c = write(dir.resolve("c.so"), elfWithFooAt(0x7010), 3600);
        cache.get(a, counting);
        cache.get(b, counting);
        cache.get(a, counting); // a used last: b is the eldest
        cache.get(c, counting);
        assertEquals(2, cache.size());
        assertEquals(3, parses.get());
        cache.get(a, counting);
        assertEquals(3, parses.get(), "a was kept");
        cache.get(b, counting);
        assertEquals(4, parses.get(), "b was dropped");
    }

    @Test
    void aFailedParseIsNotKept() throws IOException {
        ParsedFileCache<ElfFile> cache = new ParsedFileCache<>(4);
        Path file = write(dir.resolve("not-elf"), new byte[64], 3600);
        assertThrows(BpfException.class, () -> cache.get(file, counting));
        assertThrows(BpfException.class, () -> cache.get(file, counting));
        assertEquals(2, parses.get());
        assertEquals(0, cache.size());
    }

    @Test
    void elfFileReadKeepsSettledFiles() throws IOException {
        Path file = write(dir.resolve("kept.so"), elfWithFooAt(0x7010), 3600);
        assertSame(ElfFile.read(file), ElfFile.read(file));
        write(file, elfWithFooAt(0x7020), 1800);
        assertEquals(0x1020, ElfFile.read(file).fileOffsetOf("foo"));
    }
}
