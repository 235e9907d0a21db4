package dev.jbpf.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel features a test (or every test of a class) needs. Without one the test is skipped
 * with the probe's reason printed; when the feature is listed in {@code JBPF_REQUIRED_FEATURES}
 * the test fails instead (see {@link TestGate}).
 *
 * <p>On a class each test is checked on its own, before its {@code @BeforeEach}, so that each
 * is reported skipped with the reason; a {@code @BeforeAll} that needs the feature must not
 * exist (none does).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestGate.class)
public @interface Requires {
    Feature[] value();
}
