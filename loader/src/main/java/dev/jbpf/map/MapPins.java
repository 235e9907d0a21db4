package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Owner;
import java.io.IOException;
import java.lang.foreign.Arena;
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
        Path absolute = path.toAbsolutePath();
        BpfFs.preparePin(absolute);
        try (Owner.Use use = map.use(); Arena arena = Arena.ofConfined()) {
            int ret = LibBpf.bpf_obj_pin(map.fd(), arena.allocateFrom(absolute.toString()));
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                String detail = "path " + absolute;
                if (errno == Errno.EEXIST) {
                    detail += " already exists";
                }
                throw BpfException.of("pin", map.name, errno, detail);
            }
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
