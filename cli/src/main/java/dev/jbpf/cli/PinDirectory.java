package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.DisplacedPin;
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
     * Pins one object as DIR/KIND/NAME through the given pin action, remembering it for
     * roll-back. Names may not climb out of DIR ("..", "/"). Dots become underscores, as
     * libbpf does: bpffs refuses names with dots (global data maps are named like "opensnoo.bss").
     */
    Path pin(String kind, String name, Consumer<Path> pinAction) {
        Path path = root.resolve(BpfFs.requirePinName(kind)).resolve(BpfFs.requirePinName(name).replace('.', '_'));
        makeDirectories(path.getParent());
        DisplacedPin old = options.takeExisting(path);
        if (old != null) {
            replaced.push(old);
        }
        pinAction.accept(path);
        created.push(path);
        PinOptions.applyMode(path, options.fileMode());
        return path;
    }

    /** The command succeeded: lets go of the pins it replaced. */
    void commit() {
        while (!replaced.isEmpty()) {
            replaced.pop().close();
        }
    }

    /** Removes every pin and directory this instance created, newest first, and pins back what it replaced. */
    void rollBack() {
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
