package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.DisplacedPin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * How the commands that pin treat existing pins and permissions: nothing is replaced without
 * --force, and pins are the owner's only (0600, directories 0700) unless --pin-mode says
 * otherwise. Owns nothing.
 */
final class PinOptions {
    @Option(names = "--force", description = "Replace what is pinned at the same paths already (default: refuse).")
    boolean force;

    @Option(names = "--pin-mode", paramLabel = "MODE",
            description = "Permissions of the new pins, in octal (default 0600: the owner only); their directories get x where r is set.")
    String pinMode;

    /** True when --force or --pin-mode was given (they only make sense where something is pinned). */
    boolean given() {
        return force || pinMode != null;
    }

    /** The permissions for new pins. */
    Set<PosixFilePermission> fileMode() {
        if (pinMode == null) {
            return PosixFilePermissions.fromString("rw-------");
        }
        if (!pinMode.matches("0?[0-7]{3}")) {
            throw new UsageException("--pin-mode must be an octal mode like 0600 or 0640, not '" + pinMode + "'");
        }
        int mode = Integer.parseInt(pinMode, 8);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    /** The permissions for directories made for pins: the pins' mode plus x wherever r is set. */
    Set<PosixFilePermission> directoryMode() {
        if (pinMode == null) {
            return BpfFs.OWNER_ONLY_DIRECTORY;
        }
        Set<PosixFilePermission> permissions = EnumSet.copyOf(fileMode());
        permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (permissions.contains(PosixFilePermission.GROUP_READ)) {
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return permissions;
    }

    /**
     * Pins one object at path: refuses an occupied path unless --force, in which case the old
     * pin is put back when pinning fails; then applies the mode.
     */
    void pinAt(Path path, Consumer<Path> pinAction) {
        Path absolute = path.toAbsolutePath().normalize();
        BpfFs.ensureMounted(absolute);
        Set<PosixFilePermission> mode = fileMode();
        DisplacedPin old = takeExisting(absolute);
        try {
            pinAction.accept(absolute);
            applyMode(absolute, mode);
        } catch (RuntimeException e) {
            if (old != null) {
                old.restore();
            }
            throw e;
        } finally {
            if (old != null) {
                old.close();
            }
        }
    }

    /** With --force, takes away what is pinned at path (the caller restores or closes it); without, refuses. */
    DisplacedPin takeExisting(Path absolute) {
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!force) {
            throw new BpfException("pin at", absolute.toString(), "something is pinned there already; --force replaces it");
        }
        return DisplacedPin.take(absolute);
    }

    static void applyMode(Path path, Set<PosixFilePermission> mode) {
        try {
            Files.setPosixFilePermissions(path, mode);
        } catch (IOException e) {
            throw new BpfException("set permissions of", path.toString(), e.getMessage());
        }
    }
}
