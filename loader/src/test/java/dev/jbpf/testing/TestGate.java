package dev.jbpf.testing;

import dev.jbpf.testing.TestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit extension behind {@link UnitTest}, {@link KernelTest} and {@link Requires}: it
 * decides whether a test runs, and records the test's tags for {@code scripts/test-summary}.
 *
 * <ul>
 * <li>A {@link KernelTest} runs only with the privileges to load BPF programs (uid 0 too when
 *     it says {@code root}); otherwise it is skipped, the reason printed.</li>
 * <li>A test whose {@link Requires} names a feature the kernel lacks (as {@link Feature#support()}
 *     probes it) is skipped with the probe's reason printed, or fails when the feature is listed
 *     in the environment variable {@value #REQUIRED_ENV} (comma- or space-separated
 *     {@link Feature#id() ids}: {@code make test} and {@code scripts/vm-test} list what each
 *     kernel is known to have, so that a missing feature is a failure there, never a green run
 *     with tests skipped). A name there that is no feature fails every gated test.</li>
 * </ul>
 *
 * <p>Surefire's XML reports have no tags, so each class's tags go to
 * {@code ${jbpf.test.tags.dir}/CLASS.tsv} (one line per method: name, tab, tags; the class
 * itself under the empty name), written when the property is set (the parent pom sets it to
 * {@code target/test-tags}).
 */
public final class TestGate implements ExecutionCondition {
    /** The environment variable listing the features this kernel is known to have. */
    public static final String REQUIRED_ENV = "JBPF_REQUIRED_FEATURES";
    static final String PRIVILEGES = "needs root (or CAP_BPF + CAP_PERFMON) to load BPF programs";
    static final String ROOT = "needs root (uid 0): it makes network namespaces, veth pairs, cgroups or bpffs files";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        TagRecords.record(context);
        Set<Feature> required = required();
        String test = name(context);
        Optional<KernelTest> kernel = AnnotationSupport.findAnnotation(context.getElement(), KernelTest.class);
        if (kernel.isPresent()) {
            if (!TestSupport.isPrivileged()) {
                return skip(test, PRIVILEGES);
            }
            if (kernel.get().root() && !isRoot()) {
                return skip(test, ROOT);
            }
        }
        // the element's own @Requires: a class's before its @BeforeAll (the reports still list
        // each of its tests as skipped, with the reason), a method's before its @BeforeEach
        List<Feature> needs = AnnotationSupport.findAnnotation(context.getElement(), Requires.class)
                .map(r -> List.of(r.value())).orElse(List.of());
        Optional<String> missing = missing(test, needs, Feature::support, required);
        return missing.isPresent() ? skip(test, missing.get())
                : ConditionEvaluationResult.enabled("the kernel has what the test needs");
    }

    /**
     * The skip reason of the first of {@code needs} that {@code probe} says is missing, empty
     * when none is; throws the test's failure when that feature is in {@code required}.
     */
    static Optional<String> missing(String test, List<Feature> needs, Function<Feature, Feature.Support> probe,
            Set<Feature> required) {
        for (Feature feature : needs) {
            Feature.Support support = probe.apply(feature);
            if (!support.available()) {
                String reason = reason(feature, support);
                if (required.contains(feature)) {
                    throw requiredButMissing(test, feature, reason);
                }
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }

    /**
     * For a test that can only tell by trying (a refused attach) that the kernel lacks what
     * {@code feature} stands for: skips it with the reason printed, or fails it when the
     * feature is required here (see {@value #REQUIRED_ENV}). Never returns.
     */
    public static void lacks(Feature feature, String reason) {
        // the test: the innermost caller in a class named *Test (helpers call this on its behalf)
        String test = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().endsWith("Test"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("the test"));
        throw lacks(test, feature, reason, required());
    }

    /** What {@link #lacks(Feature, String)} throws: the test's failure when the feature is required, else its abort. */
    static RuntimeException lacks(String test, Feature feature, String reason, Set<Feature> required) {
        String full = reason(feature, new Feature.Support(false, reason));
        if (required.contains(feature)) {
            throw requiredButMissing(test, feature, full);
        }
        System.out.println("SKIPPED " + test + ": " + full);
        return new TestAbortedException(full);
    }

    /** The programmatic {@link Requires}, for a need that depends on a test's parameters. */
    public static void assume(Feature feature) {
        Feature.Support support = feature.support();
        if (!support.available()) {
            lacks(feature, support.detail());
        }
    }

    /** The features listed in {@value #REQUIRED_ENV}; an error naming the unknown ones. */
    static Set<Feature> required() {
        return required(System.getenv(REQUIRED_ENV));
    }

    static Set<Feature> required(String listed) {
        Set<Feature> features = EnumSet.noneOf(Feature.class);
        if (listed != null) {
            for (String id : listed.split("[,\\s]+")) {
                if (!id.isBlank()) {
                    try {
                        features.add(Feature.byId(id));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(REQUIRED_ENV + "=" + listed + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        return features;
    }

    /** The skip reason: stable per feature and kernel, so test-summary counts the same reason once. */
    private static String reason(Feature feature, Feature.Support support) {
        return "needs " + feature.id() + ": " + support.detail();
    }

    private static AssertionError requiredButMissing(String test, Feature feature, String reason) {
        String message = feature.id() + " is required here (" + REQUIRED_ENV + "=" + System.getenv(REQUIRED_ENV)
                + "), so this fails instead of skipping: " + reason;
        System.out.println("FAILED " + test + ": " + message);
        return new AssertionError(message);
    }

    private static ConditionEvaluationResult skip(String test, String reason) {
        System.out.println("SKIPPED " + test + ": " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }

    private static String name(ExtensionContext context) {
        String type = context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName());
        return context.getTestMethod().map(m -> type + "." + m.getName()).orElse(type);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).strip().split("\\s+")[1].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }

    /** Writes each test class's tags to {@code ${jbpf.test.tags.dir}/CLASS.tsv}, rewritten from this run's first record of the class. */
    private static final class TagRecords {
        private static final Map<String, Set<String>> LINES = new HashMap<>();

        static synchronized void record(ExtensionContext context) {
            String dir = System.getProperty("jbpf.test.tags.dir");
            Optional<Class<?>> type = context.getTestClass();
            if (dir == null || type.isEmpty()) {
                return;
            }
            String line = context.getTestMethod().map(Method::getName).orElse("") + "\t"
                    + String.join(",", new TreeSet<>(context.getTags()));
            Set<String> lines = LINES.computeIfAbsent(type.get().getName(), k -> new LinkedHashSet<>());
            if (lines.add(line)) {
                try {
                    Path file = Path.of(dir, type.get().getName() + ".tsv");
                    Files.createDirectories(file.getParent());
                    Files.write(file, lines);
                } catch (IOException e) {
                    throw new UncheckedIOException("writing the tags of " + type.get().getName(), e);
                }
            }
        }
    }
}
