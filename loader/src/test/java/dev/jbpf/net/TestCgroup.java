package dev.jbpf.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cgroup v2 of its own, {@code jbpf-test-<pid>-<n>}, under the cgroup2 file system (the one
 * mounted, e.g. /sys/fs/cgroup or /sys/fs/cgroup/unified, else a private mount under /tmp that
 * {@link #close()} unmounts). Commands run in it through {@link #run}: a bash that moves itself
 * into the cgroup and then runs the script, so only that child (never this JVM) is in it.
 * Test code: {@link #close()} removes the cgroup once its processes are gone.
 */
public final class TestCgroup implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final Path directory;
    /** Where this fixture mounted cgroup2 itself, or null when it used the system's mount. */
    private final Path privateMount;
    private boolean closed;

    private TestCgroup(Path directory, Path privateMount) {
        this.directory = directory;
        this.privateMount = privateMount;
    }

    /** Creates the cgroup (mounting cgroup2 under /tmp first when it is mounted nowhere). */
    public static TestCgroup create() {
        long pid = ProcessHandle.current().pid();
        int n = COUNT.incrementAndGet();
        Path mount = cgroup2Mount();
        Path privateMount = null;
        if (mount == null) {
            privateMount = Path.of("/tmp", "jbpf-cgroup2-" + pid + "-" + n);
            try {
                Files.createDirectories(privateMount);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Command.ok("mount", "-t", "cgroup2", "none", privateMount.toString());
            mount = privateMount;
        }
        Path directory = mount.resolve("jbpf-test-" + pid + "-" + n);
        TestCgroup cgroup = new TestCgroup(directory, privateMount);
        try {
            Files.createDirectory(directory);
        } catch (IOException e) {
            cgroup.close();
            throw new UncheckedIOException("create cgroup " + directory, e);
        }
        return cgroup;
    }

    /** The first cgroup2 mount point in /proc/self/mounts, or null. */
    static Path cgroup2Mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2")) {
                    return Path.of(fields[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return null;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Runs {@code script} with bash inside this cgroup and waits for it (at most
     * {@code timeoutSeconds}). Exit 90 means the move into the cgroup failed.
     */
    public Command.Result run(String script, int timeoutSeconds) {
        return Command.run("timeout", String.valueOf(timeoutSeconds), "bash", "-c",
                "echo $$ > \"$0/cgroup.procs\" || exit 90; exec bash -c \"$1\"", directory.toString(), script);
    }

    /** The pids in the cgroup now. */
    public List<String> processes() {
        try {
            return Files.readAllLines(directory.resolve("cgroup.procs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the cgroup (retrying while the kernel still counts exited processes in it). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (int attempt = 0; Files.exists(directory); attempt++) {
                try {
                    Files.delete(directory);
                } catch (IOException busy) {
                    if (attempt == 50) {
                        throw new UncheckedIOException("remove cgroup " + directory + " (processes " + processes() + ")", busy);
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (privateMount != null) {
                Command.run("umount", privateMount.toString());
                try {
                    Files.deleteIfExists(privateMount);
                } catch (IOException e) {
                    // an empty directory left in /tmp is harmless
                }
            }
        }
    }
}
