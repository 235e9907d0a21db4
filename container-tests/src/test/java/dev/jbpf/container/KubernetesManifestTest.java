package dev.jbpf.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The invariants of deploy/kubernetes/: least privilege (not privileged, exactly CAP_BPF and
 * CAP_PERFMON, everything else dropped, read-only mounts of exactly the kernel file systems),
 * probes and Service annotations on the exporter's port, and a config dir assembled from the
 * ConfigMap (verbatim copies of examples/exporters/*.yaml) and the image's objects.
 */
// unit: reads the manifests only; no kernel, no Docker
@Tag("unit")
class KubernetesManifestTest {
    /** The host file systems the exporter reads, each mounted read-only at the same path. */
    static final Set<String> KERNEL_FILE_SYSTEMS = Set.of("/sys/kernel/btf", "/sys/kernel/tracing", "/sys/kernel/debug", "/sys/fs/bpf");

    private final DeployManifests manifests = DeployManifests.read();

    @Test
    void everyObjectIsInTheNamespaceTheManifestsCreate() {
        Set<String> kinds = manifests.objects().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertEquals(Set.of("Namespace", "ServiceAccount", "ConfigMap", "DaemonSet", "Service"), kinds);
        String namespace = manifests.namespace().getMetadata().getName();
        for (HasMetadata object : manifests.objects()) {
            if (!(object.getKind().equals("Namespace"))) {
                assertEquals(namespace, object.getMetadata().getNamespace(), object.getKind() + " " + object.getMetadata().getName());
            }
        }
        // hostPath and added capabilities are above `baseline`: the namespace must admit them
        assertEquals("privileged", manifests.namespace().getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
    }

    @Test
    void exporterRunsUnprivilegedWithExactlyBpfAndPerfmon() {
        SecurityContext security = manifests.exporter().getSecurityContext();
        assertEquals(Boolean.FALSE, security.getPrivileged());
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertEquals(Set.of("BPF", "PERFMON"), Set.copyOf(security.getCapabilities().getAdd()));
        assertEquals(2, security.getCapabilities().getAdd().size(), "no capability twice");
        // added capabilities reach uid 0 only (Kubernetes sets no ambient capabilities)
        assertEquals(0L, security.getRunAsUser());
    }

    @Test
    void initContainerHasNoCapabilityAndIsNotRoot() {
        SecurityContext security = manifests.configDirAssembler().getSecurityContext();
        assertEquals(Boolean.FALSE, security.getPrivileged());
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
        assertEquals(Boolean.TRUE, security.getRunAsNonRoot());
        assertNotEquals(0L, security.getRunAsUser());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty());
        assertEquals(manifests.exporter().getImage(), manifests.configDirAssembler().getImage(), "the objects come from the exporter's image");
    }

    @Test
    void podSharesNoHostNamespaceAndRunsUnderRuntimeDefaultSeccomp() {
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        assertNotEquals(Boolean.TRUE, pod.getHostPID(), "no decoder of these configs reads host pids");
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork());
        assertNotEquals(Boolean.TRUE, pod.getHostIPC());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        for (Container container : allContainers(pod)) {
            assertNull(container.getSecurityContext().getSeccompProfile(), container.getName() + " keeps the pod's seccomp profile");
        }
    }

    @Test
    void hostPathsAreExactlyTheKernelFileSystemsMountedReadOnlyWhereTheyAreOnTheHost() {
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        List<Volume> hostPaths = pod.getVolumes().stream().filter(v -> v.getHostPath() != null).toList();
        assertEquals(KERNEL_FILE_SYSTEMS, hostPaths.stream().map(v -> v.getHostPath().getPath()).collect(Collectors.toSet()));
        assertEquals(KERNEL_FILE_SYSTEMS.size(), hostPaths.size(), "each path once");
        for (Volume volume : hostPaths) {
            String path = volume.getHostPath().getPath();
            VolumeMount mount = DeployManifests.mountAt(manifests.exporter(), path);
            assertEquals(volume.getName(), mount.getName(), path);
            assertEquals(Boolean.TRUE, mount.getReadOnly(), path + " is mounted read-only");
            assertNull(mount.getMountPropagation(), path);
            assertTrue(manifests.configDirAssembler().getVolumeMounts().stream().noneMatch(m -> m.getName().equals(volume.getName())),
                    "the init container does not see " + path);
        }
    }

    @Test
    void probesAskHealthzAndReadyzOnTheMetricsPort() {
        Container exporter = manifests.exporter();
        ContainerPort metrics = metricsPort(exporter);
        assertEquals(manifests.listenPort(), metrics.getContainerPort(), "--web.listen-address serves the declared port");
        HTTPGetAction liveness = exporter.getLivenessProbe().getHttpGet();
        HTTPGetAction readiness = exporter.getReadinessProbe().getHttpGet();
        assertEquals("/healthz", liveness.getPath());
        assertEquals("/readyz", readiness.getPath());
        assertTrue(refersTo(liveness.getPort(), metrics), "liveness port " + liveness.getPort());
        assertTrue(refersTo(readiness.getPort(), metrics), "readiness port " + readiness.getPort());
    }

    @Test
    void everyContainerRequestsAndLimitsCpuAndMemory() {
        for (Container container : allContainers(manifests.daemonSet().getSpec().getTemplate().getSpec())) {
            Map<String, Quantity> requests = container.getResources().getRequests();
            Map<String, Quantity> limits = container.getResources().getLimits();
            for (String resource : List.of("cpu", "memory")) {
                assertNotNull(requests.get(resource), container.getName() + " requests " + resource);
                assertNotNull(limits.get(resource), container.getName() + " limits " + resource);
                assertTrue(requests.get(resource).getNumericalAmount().compareTo(limits.get(resource).getNumericalAmount()) <= 0,
                        container.getName() + " " + resource + ": request <= limit");
            }
        }
    }

    @Test
    void serviceAnnotationsNameTheExportersMetricsPortAndPath() {
        var service = manifests.service();
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        ContainerPort metrics = metricsPort(manifests.exporter());
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(metrics.getContainerPort()), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));
        assertEquals(1, service.getSpec().getPorts().size());
        ServicePort port = service.getSpec().getPorts().get(0);
        assertEquals(metrics.getContainerPort(), port.getPort());
        assertTrue(refersTo(port.getTargetPort(), metrics), "targetPort " + port.getTargetPort());
        Map<String, String> podLabels = manifests.daemonSet().getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()), "the Service selects the exporter's pods");
    }

    @Test
    void configDirArgumentIsTheDirTheInitContainerFillsFromTheConfigMap() {
        String configDir = manifests.exporterFlag("--config.dir");
        VolumeMount exporterMount = DeployManifests.mountAt(manifests.exporter(), configDir);
        assertEquals(Boolean.TRUE, exporterMount.getReadOnly());
        assertNotNull(manifests.volume(exporterMount.getName()).getEmptyDir(), "the config dir is assembled per pod");

        Container init = manifests.configDirAssembler();
        VolumeMount initMount = DeployManifests.mountAt(init, configDir);
        assertEquals(exporterMount.getName(), initMount.getName());
        assertNotEquals(Boolean.TRUE, initMount.getReadOnly(), "the init container writes the config dir");
        Volume configs = init.getVolumeMounts().stream().map(m -> manifests.volume(m.getName()))
                .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow(() -> new AssertionError("the init container mounts no ConfigMap"));
        assertEquals(manifests.configMap().getMetadata().getName(), configs.getConfigMap().getName());
        String configsPath = init.getVolumeMounts().stream().filter(m -> m.getName().equals(configs.getName())).findFirst().orElseThrow().getMountPath();
        String script = String.join("\n", init.getCommand()) + "\n" + String.join("\n", init.getArgs() == null ? List.of() : init.getArgs());
        assertTrue(script.contains(configsPath + "/*.yaml"), "copies the ConfigMap's yaml: " + script);
        assertTrue(script.contains("/opt/jbpf/exporters/$name.bpf.o"), "with the image's object of each (Dockerfile: /opt/jbpf/exporters): " + script);
        assertTrue(script.contains(configDir + "/"), "into the config dir: " + script);
    }

    @Test
    void configNamesAreExactlyTheConfigMapsConfigs() {
        Set<String> names = new TreeSet<>(Arrays.asList(manifests.exporterFlag("--config.names").split(",")));
        Set<String> configs = manifests.configMap().getData().keySet().stream()
                .peek(key -> assertTrue(key.endsWith(".yaml"), key)).map(key -> key.substring(0, key.length() - ".yaml".length()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(configs, names);
    }

    @Test
    void configMapHoldsTheExampleConfigsVerbatimEachWithItsBpfSource() throws IOException {
        Map<String, String> data = manifests.configMap().getData();
        assertFalse(data.isEmpty());
        for (Map.Entry<String, String> config : data.entrySet()) {
            String name = config.getKey().substring(0, config.getKey().length() - ".yaml".length());
            assertEquals(Files.readString(DeployManifests.EXAMPLES.resolve(config.getKey())), config.getValue(),
                    config.getKey() + " is a copy of examples/exporters/" + config.getKey());
            assertTrue(Files.isRegularFile(DeployManifests.EXAMPLES.resolve(name + ".bpf.c")),
                    "make bpf builds the image's " + name + ".bpf.o from examples/exporters/" + name + ".bpf.c");
        }
    }

    @Test
    void podUsesItsOwnServiceAccountWithoutAToken() {
        PodSpec pod = manifests.daemonSet().getSpec().getTemplate().getSpec();
        assertEquals(manifests.serviceAccount().getMetadata().getName(), pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals(Boolean.FALSE, manifests.serviceAccount().getAutomountServiceAccountToken());
    }

    private static List<Container> allContainers(PodSpec pod) {
        return java.util.stream.Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    /** The exporter's one TCP port, named metrics. */
    static ContainerPort metricsPort(Container exporter) {
        assertEquals(1, exporter.getPorts().size(), exporter.getPorts()::toString);
        ContainerPort port = exporter.getPorts().get(0);
        assertEquals("metrics", port.getName());
        return port;
    }

    /** A probe's or Service's port: the container port's name or number. */
    private static boolean refersTo(IntOrString port, ContainerPort containerPort) {
        return port.getStrVal() != null ? port.getStrVal().equals(containerPort.getName()) : port.getIntVal().equals(containerPort.getContainerPort());
    }
}
