package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.DisplacedPin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A --pin directory in bpffs laid out as DIR/progs/NAME, DIR/maps/NAME, DIR/links/NAME. It
 * must hold no pins yet, unless --force lets new pins replace those at the same paths;
 * whatever it pinned is removed again (and what it replaced pinned back) by {@link
 * #rollBack()} when a later step fails, so a failed command leaves the pins as they were.
 * Owns the fds of the pins it replaced until {@link #commit()} or {@link #rollBack()}.
 */
final class PinDirectory {
    private final Path root;
    private final PinOptions options;
    private final Deque<Path> created = new ArrayDeque<>();
    private final Deque<DisplacedPin> replaced = new ArrayDeque<>();
    /** What {@link #pin} pinned where: "KIND/NAME" to the path on disk, which is what reports print. */
    private final Map<String, Path> paths = new HashMap<>();

    private PinDirectory(Path root, PinOptions options) {
        this.root = root;
        this.options = options;
    }

    /** Checks that DIR can take new pins: bpffs is mounted and DIR holds no pins yet (or --force). */
    static PinDirectory prepare(Path dir, PinOptions options) {
        Path root = dir.toAbsolutePath().normalize();
        BpfFs.ensureMounted(root);
        options.fileMode(); // a bad --pin-mode is a usage error before anything is loaded
        if (Files.exists(root)) {
            if (!Files.isDirectory(root)) {
                throw new BpfException("pin into", root.toString(), "it exists and is not a directory");
            }
            try (Stream<Path> entries = Files.walk(root)) {
                List<String> pins = entries.filter(path -> !Files.isDirectory(path))
                        .map(path -> root.relativize(path).toString()).sorted().limit(5).toList();
                if (!pins.isEmpty() && !options.force) {
                    throw new BpfException("pin into", root.toString(), "it already holds pins (" + String.join(", ", pins)
                            + "); unpin them (rm -r " + root + "), choose another directory, or replace them with --force");
                }
            } catch (IOException e) {
                throw new BpfException("pin into", root.toString(), e.getMessage());
            }
        }
        return new PinDirectory(root, options);
    }

    Path root() {
        return root;
    }

    /**
     * The file name a pin of an object called {@code name} gets: the name the kernel knows it
     * by, except that dots become underscores (as libbpf and bpftool make them): bpffs refuses
     * names with dots (EPERM, they are reserved for its own files), and libbpf names global data
     * maps like "opensnoo.bss".
     */
    static String pinName(String name) {
        return BpfFs.requirePinName(name).replace('.', '_');
    }

    /**
     * Pins one object as DIR/KIND/NAME through the given pin action, remembering it for
     * roll-back; NAME is {@link #pinName}. Names may not climb out of DIR ("..", "/"). Returns
     * the path of the pin, which {@link #pinned} gives again.
     */
    Path pin(String kind, String name, Consumer<Path> pinAction) {
        Path path = root.resolve(BpfFs.requirePinName(kind)).resolve(pinName(name));
        if (paths.containsValue(path)) {
            throw new BpfException("pin " + kind, name, "another one of the object is pinned at " + path
                    + " already (bpffs names cannot hold dots, so they become underscores)");
        }
        makeDirectories(path.getParent());
        DisplacedPin old = options.takeExisting(path);
        if (old != null) {
            replaced.push(old);
        }
        pinAction.accept(path);
        created.push(path);
        paths.put(kind + "/" + name, path);
        PinOptions.applyMode(path, options.fileMode());
        return path;
    }

    /** Where {@link #pin} pinned the object called {@code name} under KIND, or null when it did not. */
    Path pinned(String kind, String name) {
        return paths.get(kind + "/" + name);
    }

    /** The command succeeded: lets go of the pins it replaced. */
    void commit() {
        while (!replaced.isEmpty()) {
            replaced.pop().close();
        }
    }

    /** Removes every pin and directory this instance created, newest first, and pins back what it replaced. */
    void rollBack() {
        paths.clear();
        while (!created.isEmpty()) {
            try {
                Files.deleteIfExists(created.pop());
            } catch (IOException e) {
                // best effort: keep removing the rest
            }
        }
        while (!replaced.isEmpty()) {
            try (DisplacedPin old = replaced.pop()) {
                old.restore();
            } catch (BpfException e) {
                // best effort: keep restoring the rest
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
                // set, not requested at creation: the umask would take bits away from an asked-for mode
                Files.setPosixFilePermissions(p, options.directoryMode());
            } catch (IOException e) {
                throw new BpfException("create pin directory", p.toString(), e.getMessage());
            }
            created.push(p);
        }
    }
}
