package dev.jbpf.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * The DaemonSet of deploy/kubernetes run on Docker as the kubelet would run it: the image, user,
 * capabilities (all dropped but the manifest's), read-only root filesystem, host mounts and
 * arguments all come from the parsed manifest. The init container assembles the config dir from
 * the ConfigMap and the image's objects; the exporter then serves metrics that move.
 */
// container: runs the jbpf image on the local Docker engine (make image). This module does not
// reach dev.jbpf.testing (loader's test jar), so the tag is plain; scripts/test-summary reads it from this line.
@Tag("container")
class ExporterManifestContainerTest {
    private final DeployManifests manifests = DeployManifests.read();

    @Test
    void initContainerPutsEachConfigBesideTheImagesObject(@TempDir Path tmp) throws IOException {
        Path configDir = assembleConfigDir(tmp);

        Set<String> files;
        try (var listing = Files.list(configDir)) {
            files = listing.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
        }
        Set<String> expected = new java.util.TreeSet<>();
        for (String config : manifests.configMap().getData().keySet()) {
            String name = config.substring(0, config.length() - ".yaml".length());
            expected.add(name + ".yaml");
            expected.add(name + ".bpf.o");
            assertEquals(manifests.configMap().getData().get(config), Files.readString(configDir.resolve(config)), config);
        }
        assertEquals(expected, files);
    }

    @Test
    void exporterRunWithTheManifestsPrivilegesServesMetricsThatMove(@TempDir Path tmp) throws Exception {
        Path configDir = assembleConfigDir(tmp);
        Container exporter = manifests.exporter();
        int port = manifests.listenPort();
        try (GenericContainer<?> container = JbpfImage.container(manifestPrivileges(exporter), null, exporterBinds(exporter, configDir))
                .withCommand(exporter.getArgs().toArray(String[]::new))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withUser(String.valueOf(exporter.getSecurityContext().getRunAsUser()));
                    cmd.getHostConfig()
                            .withCapDrop(Capability.ALL)
                            .withReadonlyRootfs(exporter.getSecurityContext().getReadOnlyRootFilesystem())
                            .withTmpFs(writableEmptyDirs(exporter));
                })) {
            container.start();
            awaitReady(container, port);

            // each scrape is a loopback TCP connection to the exporter's port: the next one counts it
            Map<String, Double> before = scrape(container, port);
            Thread.sleep(2000);
            Map<String, Double> after = scrape(container, port);
            // ebpf_exporter's names: each config's metric under the prefix ebpf_exporter_
            for (String series : List.of("ebpf_exporter_syscalls_by_comm_total", "ebpf_exporter_run_queue_latency_seconds_count",
                    "ebpf_exporter_tcp_connections_established_ipv4_total{direction=\"inbound\",port=\"" + port + "\"}")) {
                double was = sum(before, series);
                double is = sum(after, series);
                assertTrue(is > was, series + " moved: " + was + " -> " + is);
            }
        }
    }

    /**
     * Runs the manifest's init container on the ConfigMap's files (written to a host dir) and
     * returns the host dir it filled, the exporter's config dir.
     */
    private Path assembleConfigDir(Path tmp) throws IOException {
        Container init = manifests.configDirAssembler();
        Path configs = Files.createDirectories(tmp.resolve("configmap"));
        for (Map.Entry<String, String> file : manifests.configMap().getData().entrySet()) {
            Files.writeString(configs.resolve(file.getKey()), file.getValue());
        }
        Path configDir = Files.createDirectories(tmp.resolve("config-dir"));
        // an emptyDir is writable by every uid, as the init container runs as nobody
        Files.setPosixFilePermissions(configDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(configs, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<Bind> binds = new ArrayList<>();
        for (VolumeMount mount : init.getVolumeMounts()) {
            Volume volume = manifests.volume(mount.getName());
            Path source = volume.getConfigMap() != null ? configs : volume.getEmptyDir() != null ? configDir : null;
            if (source == null) {
                fail("the init container mounts " + mount.getName() + ", neither the ConfigMap nor an emptyDir");
            }
            binds.add(new Bind(source.toString(), new com.github.dockerjava.api.model.Volume(mount.getMountPath()),
                    Boolean.TRUE.equals(mount.getReadOnly()) ? AccessMode.ro : AccessMode.rw));
        }
        List<String> entrypoint = new ArrayList<>(init.getCommand());
        if (init.getArgs() != null) {
            entrypoint.addAll(init.getArgs());
        }
        JbpfImage.Run run = JbpfImage.runToExit(JbpfImage.container(Privileges.NONE, entrypoint, binds)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withUser(String.valueOf(init.getSecurityContext().getRunAsUser()));
                    cmd.getHostConfig().withCapDrop(Capability.ALL).withReadonlyRootfs(init.getSecurityContext().getReadOnlyRootFilesystem());
                }));
        assertEquals(0, run.exitCode(), run::toString);
        return configDir;
    }

    /**
     * The manifest's added capabilities when this engine grants them; an engine older than
     * Docker 23 does not (its seccomp profile allows bpf(2) only with CAP_SYS_ADMIN), and then the
     * test runs with the least it grants (JbpfImage.privileges) and says so.
     */
    private static Privileges manifestPrivileges(Container exporter) {
        List<Capability> capabilities = exporter.getSecurityContext().getCapabilities().getAdd().stream().map(Capability::valueOf).toList();
        Privileges engine = JbpfImage.privileges();
        if (!engine.privileged() && Set.copyOf(engine.capabilities()).equals(Set.copyOf(capabilities))) {
            return new Privileges("--cap-drop ALL " + capabilities.stream().map(c -> "--cap-add " + c).collect(Collectors.joining(" ")), capabilities, false);
        }
        System.out.println("the manifest's capabilities " + capabilities + " are more than this engine grants alone; running with "
                + engine.description());
        return engine;
    }

    /** The exporter's hostPath mounts at their paths and the assembled config dir, each as read-only as in the manifest. */
    private List<Bind> exporterBinds(Container exporter, Path configDir) {
        List<Bind> binds = new ArrayList<>();
        for (VolumeMount mount : exporter.getVolumeMounts()) {
            Volume volume = manifests.volume(mount.getName());
            String source;
            if (volume.getHostPath() != null) {
                source = volume.getHostPath().getPath();
            } else if (volume.getEmptyDir() != null && mount.getMountPath().equals(manifests.exporterFlag("--config.dir"))) {
                source = configDir.toString();
            } else {
                continue; // the other emptyDirs are tmpfs (writableEmptyDirs)
            }
            binds.add(new Bind(source, new com.github.dockerjava.api.model.Volume(mount.getMountPath()),
                    Boolean.TRUE.equals(mount.getReadOnly()) ? AccessMode.ro : AccessMode.rw));
        }
        return binds;
    }

    /** The exporter's writable emptyDirs (scratch space such as /tmp) as tmpfs mounts. */
    private Map<String, String> writableEmptyDirs(Container exporter) {
        Map<String, String> tmpfs = new HashMap<>();
        for (VolumeMount mount : exporter.getVolumeMounts()) {
            if (manifests.volume(mount.getName()).getEmptyDir() != null && !Boolean.TRUE.equals(mount.getReadOnly())) {
                tmpfs.put(mount.getMountPath(), "");
            }
        }
        return tmpfs;
    }

    /** GET over loopback inside the container (its network is none): bash's /dev/tcp, HTTP/1.0 so the server closes. */
    private static ExecResult get(GenericContainer<?> container, int port, String path) throws Exception {
        return container.execInContainer("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port
                + " && printf 'GET " + path + " HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3");
    }

    private static void awaitReady(GenericContainer<?> container, int port) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!container.isRunning()) {
                fail("the exporter exited: " + container.getLogs());
            }
            ExecResult ready = get(container, port, "/readyz");
            last = ready.getStdout();
            if (last.startsWith("HTTP/1.1 200") || last.startsWith("HTTP/1.0 200")) {
                return;
            }
            Thread.sleep(500);
        }
        fail("/readyz did not answer 200 within 60 s: " + last + "\n" + container.getLogs());
    }

    /** The samples of /metrics: series (name and labels as printed) to value. */
    private static Map<String, Double> scrape(GenericContainer<?> container, int port) throws Exception {
        ExecResult metrics = get(container, port, "/metrics");
        String response = metrics.getStdout();
        assertTrue(response.startsWith("HTTP/1.1 200") || response.startsWith("HTTP/1.0 200"), response);
        Map<String, Double> samples = new HashMap<>();
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        for (String line : body.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    /**
     * The sum over the series of {@code selector}: a metric name, or NAME{l="v",...} whose labels
     * must all be among a series' labels.
     */
    private static double sum(Map<String, Double> samples, String selector) {
        int brace = selector.indexOf('{');
        String name = brace < 0 ? selector : selector.substring(0, brace);
        List<String> labels = brace < 0 ? List.of() : List.of(selector.substring(brace + 1, selector.length() - 1).split(","));
        double sum = 0;
        for (Map.Entry<String, Double> sample : samples.entrySet()) {
            String series = sample.getKey();
            boolean sameName = series.equals(name) || series.startsWith(name + "{");
            if (sameName && labels.stream().allMatch(series::contains)) {
                sum += sample.getValue();
            }
        }
        return sum;
    }
}
