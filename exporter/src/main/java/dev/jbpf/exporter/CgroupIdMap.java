package dev.jbpf.exporter;

import dev.jbpf.BpfException;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibC;
import dev.jbpf.map.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one config's {@code cgroup_id_map} current: the cgroups (v2) whose path a regexp of the
 * config finds are in the map, the others are not. Filled by a full walk of the cgroup2
 * hierarchy when the config is loaded (before its programs attach); then a background thread
 * walks it again whenever inotify says a cgroup directory was made or removed anywhere in the
 * hierarchy (a watch on every cgroup directory, {@code IN_CREATE | IN_DELETE}), at most every
 * {@link #MIN_SPACING} (events arriving meanwhile are served by one walk), and in any case every
 * {@link #FALLBACK_RESCAN} (every {@link #DEGRADED_RESCAN} when inotify is missing or could not
 * watch every directory, e.g. {@code fs.inotify.max_user_watches} reached). Each walk is compared
 * with the previous one by cgroup id (the directory's inode number, never reused while the kernel
 * runs): new matching cgroups are written, removed ones deleted ({@code type: hash}; the kernel
 * frees a removed cgroup's {@code cgrp_storage} itself).
 *
 * <p>Owns the thread and its inotify and epoll fds; the map belongs to the config's object.
 * {@link #close()} stops the thread (within ~200 ms) and closes the fds; call it before closing
 * the object.
 */
final class CgroupIdMap implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.jbpf.exporter");
    /** The least time between two walks: a burst of mkdir/rmdir costs one walk per this. */
    static final Duration MIN_SPACING = Duration.ofMillis(100);
    /** A walk without events, for whatever inotify missed (a queue overflow). */
    static final Duration FALLBACK_RESCAN = Duration.ofSeconds(10);
    /** The walk period when inotify does not watch the whole hierarchy. */
    static final Duration DEGRADED_RESCAN = Duration.ofSeconds(1);
    private static final int POLL_MS = 200;
    private static final int WATCH_MASK = LibC.IN_CREATE | LibC.IN_DELETE | LibC.IN_MOVED_FROM | LibC.IN_MOVED_TO
            | LibC.IN_ONLYDIR;
    private static final byte[] ONE = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).array();

    private final CgroupIdMapConfig config;
    private final BpfMap map;
    private final Path root;
    private final String configName;
    /** What the exporter wrote into the map: cgroup id → path (the poller's, after the first walk). */
    private Map<Long, String> written = Map.of();
    private final Set<Long> failedOnce = new HashSet<>();
    private final AtomicLong scans = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile int cgroups;
    private int inotifyFd = -1;
    private int epollFd = -1;
    private boolean watchFailed;
    private volatile boolean watching;
    private boolean watchFailureLogged;
    private final Thread poller;
    private volatile boolean stopping;

    private CgroupIdMap(CgroupIdMapConfig config, BpfMap map, Path root, String configName) {
        this.config = config;
        this.map = map;
        this.root = root;
        this.configName = configName;
        this.poller = Thread.ofPlatform().daemon().name("jbpf-export-cgroups-" + configName).unstarted(this::run);
    }

    /**
     * Fills {@code map} with the matching cgroups under {@code root} (the cgroup2 mount), then
     * keeps it current on a background thread until {@link #close()}.
     */
    static CgroupIdMap start(CgroupIdMapConfig config, BpfMap map, Path root, String configName) {
        CgroupIdMap ids = new CgroupIdMap(config, map, root, configName);
        try {
            ids.openInotify();
            ids.scan();
            ids.poller.start();
            return ids;
        } catch (RuntimeException | Error e) {
            ids.closeFds();
            throw e;
        }
    }

    private void openInotify() {
        int fd = LibC.inotifyInit(LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
        if (fd < 0) {
            LOG.log(System.Logger.Level.WARNING, "config " + configName + ": cgroup_id_map '" + config.name() + "': inotify_init1"
                    + " failed (" + Errno.name(fd) + "); the cgroups are walked every " + DEGRADED_RESCAN.toMillis() + " ms instead");
            return;
        }
        inotifyFd = fd;
        int epoll = LibC.epollCreate();
        int added = epoll < 0 ? -epoll : LibC.epollAdd(epoll, fd, LibC.EPOLLIN, 0);
        if (added != 0) {
            if (epoll >= 0) {
                Fd.close(epoll);
            }
            Fd.close(fd);
            inotifyFd = -1;
            LOG.log(System.Logger.Level.WARNING, "config " + configName + ": cgroup_id_map '" + config.name() + "': epoll failed ("
                    + Errno.name(added) + "); the cgroups are walked every " + DEGRADED_RESCAN.toMillis() + " ms instead");
            return;
        }
        epollFd = epoll;
        watching = true;
    }

    /** One walk of the hierarchy, and the map brought in line with it. */
    private void scan() {
        watchFailed = false;
        Map<Long, String> all = CgroupTree.walk(root, inotifyFd >= 0 ? this::watch : null);
        Map<Long, String> matching = new HashMap<>();
        all.forEach((id, path) -> {
            if (config.matches(path)) {
                matching.put(id, path);
            }
        });
        Map<Long, String> next = new HashMap<>();
        for (Map.Entry<Long, String> was : written.entrySet()) {
            if (!was.getValue().equals(matching.get(was.getKey()))) {
                remove(was.getKey(), was.getValue());
            }
        }
        for (Map.Entry<Long, String> cgroup : matching.entrySet()) {
            long id = cgroup.getKey();
            String path = cgroup.getValue();
            if (path.equals(written.get(id)) || add(id, path)) {
                next.put(id, path);
            }
        }
        failedOnce.retainAll(matching.keySet());
        written = next;
        cgroups = next.size();
        scans.incrementAndGet();
    }

    private void watch(Path dir) {
        int wd = LibC.inotifyAddWatch(inotifyFd, dir.toString(), WATCH_MASK);
        if (wd < 0 && -wd != Errno.ENOENT && -wd != Errno.ENOTDIR) { // removed meanwhile: its parent's event says so
            watchFailed = true;
            if (!watchFailureLogged) {
                watchFailureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "config " + configName + ": cgroup_id_map '" + config.name()
                        + "': inotify cannot watch " + dir + " (" + Errno.name(wd) + (-wd == Errno.ENOSPC
                                ? ": raise sysctl fs.inotify.max_user_watches" : "") + "); the cgroups are walked every "
                        + DEGRADED_RESCAN.toMillis() + " ms while some directory is not watched");
            }
        }
    }

    /** Writes 1 for the cgroup; false when that failed (tried again at the next walk). */
    private boolean add(long id, String path) {
        try {
            switch (config.type()) {
                case HASH -> map.update(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array(), ONE);
                case CGRP_STORAGE -> {
                    // the key of a cgrp_storage map is an fd of the cgroup's directory
                    int opened = LibC.open(path, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
                    if (opened < 0) {
                        if (-opened == Errno.ENOENT) {
                            return false; // removed since the walk saw it
                        }
                        throw BpfException.of("open cgroup", path, -opened, null);
                    }
                    try (Fd fd = Fd.adopt(opened)) {
                        map.update(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(fd.value()).array(), ONE);
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            failed("cannot add cgroup " + path + " (id " + id + ")", id, e);
            return false;
        }
    }

    private void remove(long id, String path) {
        if (config.type() != CgroupIdMapConfig.Type.HASH) {
            return; // cgrp_storage: the kernel frees the storage of a removed cgroup
        }
        try {
            map.delete(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(id).array()); // false: gone already
        } catch (RuntimeException e) {
            failed("cannot delete cgroup " + path + " (id " + id + ")", id, e);
        }
    }

    private void failed(String what, long id, RuntimeException e) {
        errors.incrementAndGet();
        if (failedOnce.add(id)) {
            LOG.log(System.Logger.Level.WARNING, "config " + configName + ": cgroup_id_map '" + config.name() + "': " + what + ": "
                    + e.getMessage() + " (counted in jbpf_exporter_cgroup_id_map_errors_total)");
        }
    }

    private void run() {
        long lastScan = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate(LibC.EPOLL_EVENT_SIZE * 4, 8);
            MemorySegment drain = arena.allocate(4096, 8);
            while (!stopping) {
                Duration period = epollFd < 0 || watchFailed ? DEGRADED_RESCAN : FALLBACK_RESCAN;
                boolean changed = false;
                if (epollFd >= 0) {
                    changed = LibC.epollWait(epollFd, events, POLL_MS) > 0;
                } else {
                    Thread.sleep(POLL_MS);
                }
                if (stopping) {
                    break;
                }
                long since = System.nanoTime() - lastScan;
                if (changed) {
                    if (since < MIN_SPACING.toNanos()) {
                        Thread.sleep(Duration.ofNanos(MIN_SPACING.toNanos() - since));
                    }
                    while (LibC.read(inotifyFd, drain) > 0) {
                        // the events only say "something changed": the walk finds what
                    }
                } else if (since < period.toNanos()) {
                    continue;
                }
                try {
                    scan();
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "config " + configName + ": cgroup_id_map '" + config.name()
                            + "': walking " + root + " failed: " + e);
                }
                lastScan = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    CgroupIdMapConfig config() {
        return config;
    }

    /** The cgroups the exporter has in the map now (those that matched at the last walk). */
    int cgroups() {
        return cgroups;
    }

    /** Walks of the hierarchy since the config was loaded (the first included). */
    long scans() {
        return scans.get();
    }

    /** Map updates and deletes (and cgroup opens) that failed. */
    long errors() {
        return errors.get();
    }

    /** Whether inotify watches the hierarchy (else it is walked every {@link #DEGRADED_RESCAN}). */
    boolean watching() {
        return watching;
    }

    /** Stops the thread (its wait ends within ~200 ms), then closes the inotify and epoll fds. */
    @Override
    public void close() {
        stopping = true;
        try {
            if (poller.isAlive()) {
                poller.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeFds();
        }
    }

    private void closeFds() {
        if (epollFd >= 0) {
            Fd.close(epollFd);
            epollFd = -1;
        }
        if (inotifyFd >= 0) {
            Fd.close(inotifyFd);
            inotifyFd = -1;
        }
    }
}
