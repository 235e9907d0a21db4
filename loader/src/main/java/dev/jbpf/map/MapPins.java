package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The bodies of {@link BpfMap#pin} and {@link BpfMap#unpin} ({@code bpf_obj_pin}, removing the
 * pin's file). Owns nothing: the path string lives in a confined arena of one call, and the fd
 * unpin opens to check the pin is closed before it returns.
 */
final class MapPins {
    private MapPins() {
    }

    static void pin(BpfMap map, Path path) {
        map.checkOpen();
        Objects.requireNonNull(path, "path");
        try (Owner.Use use = map.use()) {
            KernelObjects.pin(map.fd(), path, map.name);
        }
    }

    static void unpin(BpfMap map, Path path) {
        map.checkOpen();
        Objects.requireNonNull(path, "path");
        Path absolute = path.toAbsolutePath();
        String name = map.name;
        int pinnedId;
        try (BpfMap pinned = BpfMap.openPinned(absolute)) {
            pinnedId = pinned.id;
        } catch (BpfNotFoundException e) {
            throw new BpfNotFoundException("unpin", name, Errno.ENOENT, "nothing pinned at " + absolute, e);
        }
        if (pinnedId != map.id) {
            throw new BpfException("unpin", name, 0, absolute + " pins map id " + pinnedId + ", not this map (id "
                    + map.id + ")");
        }
        try {
            Files.delete(absolute);
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException("unpin", name, Errno.ENOENT, "nothing pinned at " + absolute, e);
        } catch (IOException e) {
            throw new BpfException("unpin", name, 0, "cannot remove " + absolute + ": " + e, e);
        }
    }
}
