package dev.jbpf.internal;

import dev.jbpf.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The BPF file system (bpffs), where programs, maps and links are pinned. Shared by every
 * pin operation (programs, links, maps, the CLI's --pin). Not API; owns no native memory.
 */
public final class BpfFs {
    /** Where bpffs is mounted by convention, and where {@link #ensureMounted} mounts it. */
    public static final Path DEFAULT_MOUNT = Path.of("/sys/fs/bpf");
    /** statfs f_type of bpffs (BPF_FS_MAGIC in linux/magic.h). */
    static final long BPF_FS_MAGIC = 0xcafe4a11L;
    /** The permissions of directories made for pins: the owner's only, as the pins' own 0600. */
    public static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private BpfFs() {
    }

    /**
     * Makes sure {@code path} lies on a mounted bpffs. When it lies under /sys/fs/bpf and
     * nothing is mounted there yet, mounts bpffs there (needs root), as {@code bpftool} does.
     * Throws a {@link BpfException} saying so when the path is elsewhere, or mounting fails.
     */
    public static void ensureMounted(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (isOnBpfFs(absolute)) {
            return;
        }
        if (!absolute.startsWith(DEFAULT_MOUNT) || isOnBpfFs(DEFAULT_MOUNT)) {
            // elsewhere, or under a mounted /sys/fs/bpf but through a symlink that leads off it
            throw new BpfException("pin", path.toString(), Errno.EINVAL,
                    "is not on a BPF file system (bpffs); pin under " + DEFAULT_MOUNT);
        }
        int errno = LibC.mount("bpf", DEFAULT_MOUNT.toString(), "bpf");
        if (errno == Errno.EPERM) {
            throw new BpfException("mount bpffs on", DEFAULT_MOUNT.toString(), errno,
                    "bpffs is not mounted and mounting it needs CAP_SYS_ADMIN: run as root, or mount it first"
                            + " (mount -t bpf bpf " + DEFAULT_MOUNT + ")");
        }
        if (errno != 0) {
            throw BpfException.of("mount bpffs on", DEFAULT_MOUNT.toString(), errno, null);
        }
    }

    /**
     * {@link #ensureMounted} for a pin path, then creates its missing parent directories,
     * owner-only (0700) as the kernel makes the pins themselves (0600).
     */
    public static void preparePin(Path pinPath) {
        ensureMounted(pinPath);
        Path parent = pinPath.toAbsolutePath().normalize().getParent();
        try {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } catch (IOException e) {
            throw new BpfException("create directory", parent.toString(), e.toString(), e);
        }
    }

    /**
     * True when {@code absolute} lies on bpffs: the statfs magic of the nearest part of it that
     * exists, with symlinks followed, so a link out of bpffs does not count as on it.
     */
    public static boolean isOnBpfFs(Path absolute) {
        Path existing = absolute.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && LibC.statfsType(existing.toString()) == BPF_FS_MAGIC;
    }

    /**
     * The exception for a failed {@code bpf_obj_get(path)}: when path is not on bpffs, that is
     * the reason whatever errno the kernel chose (EACCES, EPERM, EINVAL).
     */
    public static BpfException notAPin(String operation, Path path, int errno) {
        if (Math.abs(errno) != Errno.ENOENT && Files.isDirectory(path) && isOnBpfFs(path.toAbsolutePath())) {
            return new BpfException(operation, path.toString(), Errno.EISDIR,
                    "a directory of pins, not a pin: name one of the pins in it");
        }
        if (Math.abs(errno) != Errno.ENOENT && !isOnBpfFs(path.toAbsolutePath())) {
            return new BpfException(operation, path.toString(), Errno.EINVAL,
                    "not on a BPF file system (bpffs), so nothing can be pinned there; pins live under " + DEFAULT_MOUNT);
        }
        return BpfException.of(operation, path.toString(), errno, null);
    }

    /**
     * Checks a name that becomes one component of a pin path (a program, map or link name):
     * it must not climb out of or jump past its directory ("..", "/", an absolute path).
     */
    public static String requirePinName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new BpfException("pin", String.valueOf(name), Errno.EINVAL,
                    "not usable as a pin name: a name may not be empty, '.', '..' or hold '/'");
        }
        return name;
    }
}
