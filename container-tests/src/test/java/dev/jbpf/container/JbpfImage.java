package dev.jbpf.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * The jbpf image under test ({@code make image}) and the containers the tests start from it.
 * Every container runs with network mode none (the engine has no bridge), the host's bpffs
 * bound at /sys/fs/bpf (pins made inside are the host's) and the host's tracefs at
 * /sys/kernel/tracing (libbpf reads tracepoint ids there). Callers own the containers and close
 * them; Testcontainers' reaper is off (see the module's pom).
 */
final class JbpfImage {
    static final String NAME = System.getProperty("jbpf.image", "jbpf:latest");
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private static Privileges privileges;

    private JbpfImage() {
    }

    /** The engine answers and holds the image, and the host has bpffs and tracefs; else fails saying how to fix it. */
    static synchronized DockerClient requireImage() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("no Docker engine answers on this machine: `make test` starts one"
                    + " (scripts/docker-engine.sh)");
        }
        DockerClient docker = DockerClientFactory.lazyClient();
        try {
            docker.inspectImageCmd(NAME).exec();
        } catch (NotFoundException e) {
            throw new IllegalStateException("image " + NAME + " is not built: run `make image` (`make test` does)", e);
        }
        for (Path fs : List.of(BPFFS, TRACEFS)) {
            if (!isMountPoint(fs)) {
                throw new IllegalStateException(fs + " is not mounted on the host: run scripts/kernel-fs.sh (`make test` does)");
            }
        }
        return docker;
    }

    /**
     * The least privilege this engine grants (the first of {@link Privileges#CANDIDATES} a
     * container starts with), found once by starting a container that only runs {@code true}.
     */
    static synchronized Privileges privileges() {
        if (privileges == null) {
            DockerClient docker = requireImage();
            List<String> refusals = new ArrayList<>();
            for (Privileges candidate : Privileges.CANDIDATES) {
                String refusal = tryStart(docker, candidate);
                if (refusal == null) {
                    privileges = candidate;
                    System.out.println("container privileges: " + candidate.description()
                            + (refusals.isEmpty() ? "" : " (refused: " + String.join("; ", refusals) + ")"));
                    break;
                }
                refusals.add(candidate.description() + ": " + refusal);
            }
            if (privileges == null) {
                throw new IllegalStateException("the Docker engine grants none of the privileges BPF needs: " + refusals);
            }
        }
        return privileges;
    }

    /** A container of the image with these privileges, running {@code entrypoint} (null: the image's, jbpf). */
    static GenericContainer<?> container(Privileges privileges, List<String> entrypoint) {
        return container(privileges, entrypoint, kernelFileSystemBinds());
    }

    /** A container of the image with these privileges and exactly these binds (no others), running {@code entrypoint} (null: jbpf). */
    static GenericContainer<?> container(Privileges privileges, List<String> entrypoint, List<Bind> binds) {
        requireImage();
        return new GenericContainer<>(DockerImageName.parse(NAME))
                .withNetworkMode("none")
                .withCreateContainerCmdModifier(cmd -> {
                    if (entrypoint != null) {
                        cmd.withEntrypoint(entrypoint);
                    }
                    HostConfig hostConfig = cmd.getHostConfig() == null ? HostConfig.newHostConfig() : cmd.getHostConfig();
                    cmd.withHostConfig(privileges.applyTo(hostConfig.withBinds(binds)));
                });
    }

    /** The outcome of a container that ran one jbpf command through the image's entrypoint. */
    record Run(long exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code docker run IMAGE ARGS...} with these privileges and returns when the container has exited. */
    static Run run(Privileges privileges, String... jbpfArgs) {
        return runToExit(container(privileges, null).withCommand(jbpfArgs));
    }

    /** Starts the container, waits until it has exited (60 s at most) and returns its exit code and output. */
    static Run runToExit(GenericContainer<?> container) {
        try (container) {
            container.withStartupCheckStrategy(new ExitedStartupCheck().withTimeout(Duration.ofSeconds(60))).start();
            InspectContainerResponse.ContainerState state = container.getDockerClient()
                    .inspectContainerCmd(container.getContainerId()).exec().getState();
            return new Run(state.getExitCodeLong(), container.getLogs(OutputType.STDOUT), container.getLogs(OutputType.STDERR));
        }
    }

    /** Deletes a pin directory made under the host's bpffs (unpinned links detach). */
    static void removePins(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Started is done: the container runs one command and exits, with whatever exit code. */
    private static final class ExitedStartupCheck extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            return getCurrentState(docker, containerId).getRunning() ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }

    /** The host's bpffs (pins made inside are the host's) and tracefs, read-only, at the same paths. */
    private static List<Bind> kernelFileSystemBinds() {
        return List.of(
                Bind.parse(BPFFS + ":" + BPFFS + ":rw"),
                new Bind(TRACEFS.toString(), new Volume(TRACEFS.toString()), com.github.dockerjava.api.model.AccessMode.ro));
    }

    /** null when a container with these privileges starts and exits 0, else the engine's refusal. */
    private static String tryStart(DockerClient docker, Privileges candidate) {
        String id;
        try {
            id = docker.createContainerCmd(NAME)
                    .withEntrypoint("true")
                    .withHostConfig(candidate.applyTo(HostConfig.newHostConfig().withNetworkMode("none")))
                    .exec().getId();
        } catch (DockerException e) {
            return firstLine(e.getMessage());
        }
        try {
            docker.startContainerCmd(id).exec();
            Integer status = docker.waitContainerCmd(id).start().awaitStatusCode(30, TimeUnit.SECONDS);
            return status == 0 ? null : "exit " + status;
        } catch (DockerException e) {
            return firstLine(e.getMessage());
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    private static boolean isMountPoint(Path dir) {
        try (Stream<String> mounts = Files.lines(Path.of("/proc/mounts"))) {
            return mounts.map(line -> line.split(" ")).anyMatch(fields -> fields.length > 1 && fields[1].equals(dir.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/mounts", e);
        }
    }

    private static String firstLine(String message) {
        return message == null ? "(no message)" : message.strip().lines().findFirst().orElse(message);
    }
}
