/**
 * What kind of test a test is, and what it needs from the kernel, shared by every module's
 * tests through the loader's test jar.
 *
 * <p>Every test class (or, in a class that mixes both, every test method) carries one of
 * {@link dev.jbpf.testing.UnitTest} (no kernel, no privileges) or {@link dev.jbpf.testing.KernelTest}
 * (loads into the running kernel; skipped with the reason printed without the privileges). The
 * classes the VM kernel matrix runs (vm/kernel-matrix-tests) also carry {@link dev.jbpf.testing.VmTest}
 * ({@link dev.jbpf.testing.VmMatrix} checks that the two agree); the container image's tests
 * carry {@code @Tag("container")} in their own module, and modules below the loader plain
 * {@code @Tag("unit")}. A class-level tag is never combined with a different method-level one:
 * {@code scripts/test-summary} counts each test under one tag.
 *
 * <p>{@link dev.jbpf.testing.Requires} names the {@link dev.jbpf.testing.Feature kernel features} a
 * test needs, each a {@link dev.jbpf.features.Facility} of the same name; {@link dev.jbpf.testing.TestGate}
 * asks {@code dev.jbpf.features} (the tests probe nothing themselves) and skips with the probe's
 * reason, unless the feature is listed in {@code JBPF_REQUIRED_FEATURES}: then the test fails,
 * because a kernel known to have the feature must not turn a broken probe or a broken feature
 * into a green run.
 */
package dev.jbpf.testing;
