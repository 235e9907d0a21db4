package dev.jbpf.container;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import java.util.List;

/**
 * What a container needs to be granted to load BPF programs, as one {@code docker run} option
 * set. {@link #CANDIDATES} lists them from the least to the most privilege; {@link JbpfImage}
 * takes the first one the engine accepts.
 *
 * @param description the {@code docker run} options, for messages
 * @param capabilities capabilities added to Docker's default set
 * @param privileged whether the container runs with {@code --privileged}
 */
record Privileges(String description, List<Capability> capabilities, boolean privileged) {

    /**
     * CAP_BPF + CAP_PERFMON is the least (engines from Docker 23 on know them); CAP_SYS_ADMIN
     * covers both on engines that do not (Debian's Docker 20.10); --privileged is the last resort
     * (it fails where the host's capability bounding set lacks some capability, as here).
     */
    static final List<Privileges> CANDIDATES = List.of(
            new Privileges("--cap-add BPF --cap-add PERFMON", List.of(Capability.BPF, Capability.PERFMON), false),
            new Privileges("--cap-add SYS_ADMIN", List.of(Capability.SYS_ADMIN), false),
            new Privileges("--privileged", List.of(), true));

    /** Docker's default capabilities only: no BPF. */
    static final Privileges NONE = new Privileges("(Docker's default capabilities)", List.of(), false);

    HostConfig applyTo(HostConfig hostConfig) {
        if (!capabilities.isEmpty()) {
            hostConfig.withCapAdd(capabilities.toArray(Capability[]::new));
        }
        return privileged ? hostConfig.withPrivileged(true) : hostConfig;
    }
}
