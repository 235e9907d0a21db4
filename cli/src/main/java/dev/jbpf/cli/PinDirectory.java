package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.internal.BpfFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A --pin directory in bpffs laid out as DIR/progs/NAME, DIR/maps/NAME, DIR/links/NAME. It
 * must hold no pins yet; whatever it pinned is removed again by {@link #rollBack()} when a
 * later step fails, so a failed command leaves nothing pinned.
 */
final class PinDirectory {
    private final Path root;
    private final Deque<Path> created = new ArrayDeque<>();

    private PinDirectory(Path root) {
        this.root = root;
    }

    /** Checks that DIR can take new pins: bpffs is mounted and DIR holds no pins yet. */
    static PinDirectory prepare(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        BpfFs.ensureMounted(root);
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new BpfException("pin into", root.toString(), "it exists and is not a directory");
            }
            try (Stream<Path> entries = Files.walk(root)) {
                List<String> pins = entries.filter(path -> !Files.isDirectory(path))
                        .map(path -> root.relativize(path).toString()).sorted().limit(5).toList();
                if (!pins.isEmpty()) {
                    throw new BpfException("pin into", root.toString(), "it already holds pins (" + String.join(", ", pins)
                            + "); unpin them (rm -r " + root + ") or choose another directory");
                }
            } catch (IOException e) {
                throw new BpfException("pin into", root.toString(), e.getMessage());
            }
        }
        return new PinDirectory(root);
    }

    /** Checks that nothing is pinned at path yet (a single pin, e.g. of `map create`). */
    static void requireFree(Path path) {
        BpfFs.ensureMounted(path.toAbsolutePath());
        if (Files.exists(path)) {
            throw new BpfException("pin at", path.toString(), "something is pinned there already");
        }
    }

    Path root() {
        return root;
    }

    /**
     * Pins one object as DIR/KIND/NAME through the given pin action, remembering it for
     * roll-back. Dots become underscores, as libbpf does: bpffs refuses names with dots
     * (global data maps are named like "opensnoo.bss").
     */
    Path pin(String kind, String name, Consumer<Path> pinAction) {
        Path path = root.resolve(kind).resolve(name.replace('.', '_'));
        makeDirectories(path.getParent());
        pinAction.accept(path);
        created.push(path);
        return path;
    }

    /** Removes every pin and directory this instance created, newest first. */
    void rollBack() {
        while (!created.isEmpty()) {
            try {
                Files.deleteIfExists(created.pop());
            } catch (IOException e) {
                // best effort: keep removing the rest
            }
        }
    }

    private void makeDirectories(Path dir) {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
            } catch (IOException e) {
                throw new BpfException("create pin directory", p.toString(), e.getMessage());
            }
            created.push(p);
        }
    }
}
