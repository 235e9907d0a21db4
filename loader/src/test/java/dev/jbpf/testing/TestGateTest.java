package dev.jbpf.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.features.Facility;
import dev.jbpf.features.FacilitySupport;
import dev.jbpf.features.KernelFeatures;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** What TestGate decides from what the probes say and what JBPF_REQUIRED_FEATURES lists. */
class TestGateTest {
    private static final Map<Feature, Feature.Support> PROBED = Map.of(
            Feature.KPROBES, new Feature.Support(false, "no kprobe PMU"),
            Feature.UPROBES, new Feature.Support(true, "uprobe PMU"),
            Feature.TCX, new Feature.Support(false, "no tcx"));
    private static final Function<Feature, Feature.Support> PROBE = PROBED::get;

    @Test
    @UnitTest
    void theRequiredListTakesIdsInAnyCaseByCommasOrSpaces() {
        assertEquals(EnumSet.of(Feature.KPROBES, Feature.FENTRY, Feature.KPROBE_MULTI),
                TestGate.required("kprobes,FENTRY  kprobe_multi,"));
        assertEquals(Set.of(), TestGate.required(null));
        assertEquals(Set.of(), TestGate.required(" "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestGate.required("kprobes,kprobs"));
        assertTrue(e.getMessage().startsWith("JBPF_REQUIRED_FEATURES=kprobes,kprobs: no kernel feature 'kprobs' (features: kprobes, "),
                e.getMessage());
    }

    @Test
    @UnitTest
    void everyFeatureIsFoundByItsId() {
        for (Feature feature : Feature.values()) {
            assertSame(feature, Feature.byId(feature.id()));
        }
        assertEquals("hardware_perf_events", Feature.HARDWARE_PERF_EVENTS.id());
    }

    /** The ids JBPF_REQUIRED_FEATURES lists (Makefile, scripts/vm-test) stay as they are, each a facility's name. */
    @Test
    @UnitTest
    void everyFeatureIsAFacilityUnderItsOwnName() {
        assertEquals(List.of("kprobes", "kretprobes", "kprobe_multi", "fentry", "fmod_ret", "lsm", "uprobes", "uprobe_multi",
                "tcx", "hardware_perf_events", "perf_event_links", "attach_cookies", "cgrp_storage"), Arrays.stream(Feature.values()).map(Feature::id).toList());
        for (Feature feature : Feature.values()) {
            assertEquals(feature.name(), Facility.valueOf(feature.name()).name());
        }
    }

    @Test
    @UnitTest
    void aMissingFeatureSkipsWithTheProbesReasonUnlessRequired() {
        assertEquals(Optional.empty(), TestGate.missing("TestGateTest.madeUp", List.of(Feature.UPROBES), PROBE, Set.of()));
        assertEquals(Optional.of("needs kprobes: no kprobe PMU"),
                TestGate.missing("TestGateTest.madeUp", List.of(Feature.UPROBES, Feature.KPROBES, Feature.TCX), PROBE, Set.of(Feature.UPROBES)));
        // the first missing one decides, so a required feature after it does not fail the test
        assertEquals(Optional.of("needs kprobes: no kprobe PMU"),
                TestGate.missing("TestGateTest.madeUp", List.of(Feature.KPROBES, Feature.TCX), PROBE, Set.of(Feature.TCX)));
    }

    @Test
    @UnitTest
    void aMissingRequiredFeatureFails() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> TestGate.missing("TestGateTest.madeUp", List.of(Feature.UPROBES, Feature.KPROBES), PROBE, Set.of(Feature.KPROBES)));
        assertTrue(e.getMessage().startsWith("kprobes is required here (JBPF_REQUIRED_FEATURES="), e.getMessage());
        assertTrue(e.getMessage().endsWith("so this fails instead of skipping: needs kprobes: no kprobe PMU"), e.getMessage());
    }

    @Test
    @UnitTest
    void aLackTheTestFoundItselfSkipsOrFailsTheSameWay() {
        RuntimeException skip = TestGate.lacks("TestGateTest.madeUp", Feature.FENTRY, "no cookies", Set.of(Feature.KPROBES));
        assertInstanceOf(TestAbortedException.class, skip);
        assertEquals("needs fentry: no cookies", skip.getMessage());
        AssertionError fail = assertThrows(AssertionError.class,
                () -> TestGate.lacks("TestGateTest.madeUp", Feature.FENTRY, "no cookies", Set.of(Feature.FENTRY)));
        assertTrue(fail.getMessage().endsWith("needs fentry: no cookies"), fail.getMessage());
    }

    /**
     * Every probe answers (none throws) with a sentence, and it is the answer of the facility of
     * the same name in dev.jbpf.features, word for word: the tests probe nothing themselves.
     */
    @Test
    @KernelTest
    void everyFeatureIsItsFacilitysAnswer() {
        for (Feature feature : Feature.values()) {
            Feature.Support support = feature.support();
            assertFalse(support.detail().isBlank(), feature.id());
            assertSame(support, feature.support(), "probed once: " + feature.id());
            FacilitySupport facility = KernelFeatures.facility(Facility.valueOf(feature.name()));
            assertEquals(new Feature.Support(facility.available(), facility.detail()), support, feature.id());
            System.out.println("feature " + feature.id() + ": " + (support.available() ? "yes, " : "no, ") + support.detail());
        }
    }
}
