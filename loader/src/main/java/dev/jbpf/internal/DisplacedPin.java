package dev.jbpf.internal;

import dev.jbpf.BpfException;
import dev.jbpf.bindings.LibBpf;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pin taken away so that a new one can take its path (replacing on request, e.g. the CLI's
 * --force): it holds an fd of the old object, so {@link #restore()} can pin it back when what
 * was to replace it fails, and the object is not freed in between. Not API. Owns that fd:
 * {@link #close()} closes it (the object lives on while other fds, pins or links hold it).
 */
public final class DisplacedPin implements AutoCloseable {
    private final Path path;
    private final Fd object;

    private DisplacedPin(Path path, Fd object) {
        this.path = path;
        this.object = object;
    }

    /** Opens what is pinned at path and removes the pin; a non-pin there (a directory) is refused. */
    public static DisplacedPin take(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new BpfException("replace pin", absolute.toString(), Errno.EISDIR, "it is a directory, not a pin");
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = LibBpf.bpf_obj_get(arena.allocateFrom(absolute.toString()));
        }
        if (fd < 0) {
            throw BpfFs.notAPin("replace pin", absolute, -fd);
        }
        Fd object = Fd.adopt(fd);
        try {
            Files.delete(absolute);
        } catch (IOException e) {
            object.close();
            throw new BpfException("replace pin", absolute.toString(), "cannot remove it: " + e.getMessage(), e);
        }
        return new DisplacedPin(absolute, object);
    }

    /** Pins the old object at its path again, removing whatever was pinned there since. */
    public void restore() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new BpfException("restore pin", path.toString(), "cannot remove the new pin: " + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            int result = LibBpf.bpf_obj_pin(object.value(), arena.allocateFrom(path.toString()));
            if (result < 0) {
                throw BpfException.of("restore pin", path.toString(), -result, null);
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        object.close();
    }
}
