package dev.jbpf.container;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The objects of deploy/kubernetes/*.yaml, read with Kubernetes' object model (fabric8), and the
 * parts of the exporter's DaemonSet both manifest tests look at.
 */
record DeployManifests(List<HasMetadata> objects) {
    static final Path PROJECT = Path.of(System.getProperty("jbpf.project.dir", "..")).toAbsolutePath().normalize();
    static final Path DIR = PROJECT.resolve("deploy/kubernetes");
    static final Path EXAMPLES = PROJECT.resolve("examples/exporters");

    static DeployManifests read() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                objects.add(serialization.unmarshal(Files.readString(file), HasMetadata.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DeployManifests(List.copyOf(objects));
    }

    /** The one object of this kind; fails when there is none or more. */
    <T extends HasMetadata> T only(Class<T> kind) {
        List<T> found = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind.getSimpleName() + " in " + DIR + ", found " + found.size());
        }
        return found.get(0);
    }

    Namespace namespace() {
        return only(Namespace.class);
    }

    ServiceAccount serviceAccount() {
        return only(ServiceAccount.class);
    }

    ConfigMap configMap() {
        return only(ConfigMap.class);
    }

    DaemonSet daemonSet() {
        return only(DaemonSet.class);
    }

    Service service() {
        return only(Service.class);
    }

    /** The container running `jbpf export`. */
    Container exporter() {
        return daemonSet().getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getArgs() != null && !c.getArgs().isEmpty() && c.getArgs().get(0).equals("export"))
                .findFirst().orElseThrow(() -> new AssertionError("no container runs `jbpf export`"));
    }

    /** The init container that puts the ConfigMap's yaml beside the image's objects. */
    Container configDirAssembler() {
        List<Container> init = daemonSet().getSpec().getTemplate().getSpec().getInitContainers();
        if (init == null || init.size() != 1) {
            throw new AssertionError("expected one init container, found " + init);
        }
        return init.get(0);
    }

    Volume volume(String name) {
        return daemonSet().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The value of the exporter's {@code --NAME=VALUE} argument. */
    String exporterFlag(String name) {
        String prefix = name + "=";
        List<String> values = exporter().getArgs().stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).toList();
        if (values.size() != 1) {
            throw new AssertionError("expected one " + name + "=... in " + exporter().getArgs());
        }
        return values.get(0);
    }

    /** Where this container mounts the volume mounted at {@code mountPath}, or fails. */
    static VolumeMount mountAt(Container container, String mountPath) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " mounts nothing at " + mountPath));
    }

    /** The exporter's port in --web.listen-address ({@code [HOST]:PORT}). */
    int listenPort() {
        String address = exporterFlag("--web.listen-address");
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
