package dev.jbpf.testing;

import dev.jbpf.features.Facility;
import dev.jbpf.features.FacilitySupport;
import dev.jbpf.features.KernelFeatures;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A kernel feature tests need, by the name {@code JBPF_REQUIRED_FEATURES} lists it under. Each
 * is a {@link Facility} of {@code dev.jbpf.features}, of the same name: the answer and its
 * reason are {@link KernelFeatures#facility}'s (probed once per JVM there); the tests probe
 * nothing themselves.
 */
public enum Feature {
    /** {@link Facility#KPROBES}: the perf kprobe PMU or tracefs kprobe_events. */
    KPROBES(() -> facility(Facility.KPROBES)),
    /** {@link Facility#KRETPROBES}: a kretprobe attached through the perf kprobe PMU. */
    KRETPROBES(() -> facility(Facility.KRETPROBES)),
    /** {@link Facility#KPROBE_MULTI}: a kprobe.multi link (fprobe) attached. */
    KPROBE_MULTI(() -> facility(Facility.KPROBE_MULTI)),
    /** {@link Facility#FENTRY}: fentry and fexit, BPF trampolines on kernel functions. */
    FENTRY(() -> facility(Facility.FENTRY)),
    /**
     * {@link Facility#FMOD_RET}: fmod_ret on bpf_modify_return_test, the function TrampolineTest
     * overrides.
     */
    FMOD_RET(() -> facility(Facility.FMOD_RET)),
    /** {@link Facility#LSM}: the BPF LSM active, and an LSM program on file_open attached. */
    LSM(() -> facility(Facility.LSM)),
    /** {@link Facility#UPROBES}: uprobes (and USDT probes, which are uprobes), one attached through the perf uprobe PMU. */
    UPROBES(() -> facility(Facility.UPROBES)),
    /** {@link Facility#UPROBE_MULTI}: uprobe.multi links that filter by process. */
    UPROBE_MULTI(() -> facility(Facility.UPROBE_MULTI)),
    /** {@link Facility#TCX}: tcx links (BPF_TCX_INGRESS/EGRESS, Linux 6.6). */
    TCX(() -> facility(Facility.TCX)),
    /** {@link Facility#HARDWARE_PERF_EVENTS}: hardware perf events (a CPU PMU: cycles, instructions). */
    HARDWARE_PERF_EVENTS(() -> facility(Facility.HARDWARE_PERF_EVENTS)),
    /** {@link Facility#PERF_EVENT_LINKS}: kprobes, uprobes and tracepoints attached as BPF links (Linux 5.15): pinnable, with info. */
    PERF_EVENT_LINKS(() -> facility(Facility.PERF_EVENT_LINKS)),
    /** {@link Facility#ATTACH_COOKIES}: bpf_get_attach_cookie (Linux 5.15); libbpf's USDT needs it for shared probe addresses. */
    ATTACH_COOKIES(() -> facility(Facility.ATTACH_COOKIES)),
    /** {@link Facility#CGRP_STORAGE}: BPF_MAP_TYPE_CGRP_STORAGE maps (Linux 6.2). */
    CGRP_STORAGE(() -> facility(Facility.CGRP_STORAGE));

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

    private static Support facility(Facility facility) {
        return Support.of(KernelFeatures.facility(facility));
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
