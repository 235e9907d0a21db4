package dev.jbpf.testing;

import dev.jbpf.features.Facility;
import dev.jbpf.features.FacilitySupport;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A kernel feature tests need, by the name {@code JBPF_REQUIRED_FEATURES} lists it under.
 * Where {@code dev.jbpf.features} probes it, the answer is its {@link Facility}'s; the others
 * are probed in {@link FeatureProbes} the way the tests found out before (candidates for
 * {@code dev.jbpf.features}). Each probe runs once per JVM.
 */
public enum Feature {
    /** kprobes: the perf kprobe PMU or tracefs kprobe_events. */
    KPROBES(() -> FeatureProbes.facility(Facility.KPROBES)),
    /** kretprobes: kprobes whose PMU takes the retprobe bit (or legacy kprobe_events, which take "r:"). */
    KRETPROBES(FeatureProbes::kretprobes),
    /** kprobe.multi links (fprobe). */
    KPROBE_MULTI(FeatureProbes::kprobeMulti),
    /** fentry and fexit: BPF trampolines on kernel functions. */
    FENTRY(() -> FeatureProbes.facility(Facility.FENTRY)),
    /** fmod_ret on {@code __x64_sys_getppid}, the function TrampolineTest overrides (it must be on the error-injection list). */
    FMOD_RET(FeatureProbes::fmodRet),
    /** BPF LSM programs: the BPF LSM is active ("bpf" in lsm=) and an LSM program attaches to file_open. */
    LSM(FeatureProbes::lsm),
    /** uprobes (and USDT probes, which are uprobes): the perf uprobe PMU. */
    UPROBES(FeatureProbes::uprobes),
    /** uprobe.multi links that filter by process. */
    UPROBE_MULTI(() -> FeatureProbes.facility(Facility.UPROBE_MULTI)),
    /** tcx links (BPF_TCX_INGRESS/EGRESS, Linux 6.6). */
    TCX(FeatureProbes::tcx),
    /** Hardware perf events (a CPU PMU: cycles, instructions). */
    HARDWARE_PERF_EVENTS(FeatureProbes::hardwarePerfEvents);

    /** What a probe found: whether the kernel has the feature, and a sentence saying how it decided. */
    public record Support(boolean available, String detail) {
        static Support of(FacilitySupport facility) {
            return new Support(facility.available(), facility.detail());
        }
    }

    private static final Map<Feature, Support> PROBED = new ConcurrentHashMap<>();
    private final Supplier<Support> probe;

    Feature(Supplier<Support> probe) {
        this.probe = probe;
    }

    /** The name in {@code JBPF_REQUIRED_FEATURES} and in skip reasons: lower case, as "kprobe_multi". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The probe's answer, probed on the first ask. */
    public Support support() {
        return PROBED.computeIfAbsent(this, feature -> feature.probe.get());
    }

    /** The feature named {@code id} ("kprobes", any case), or an error listing the names there are. */
    public static Feature byId(String id) {
        for (Feature feature : values()) {
            if (feature.id().equalsIgnoreCase(id.strip())) {
                return feature;
            }
        }
        throw new IllegalArgumentException("no kernel feature '" + id.strip() + "' (features: "
                + Arrays.stream(values()).map(Feature::id).collect(Collectors.joining(", ")) + ")");
    }
}
