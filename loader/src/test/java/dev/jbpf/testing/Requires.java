package dev.jbpf.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kernel features a test (or every test of a class) needs. Without one the test is skipped
 * with the probe's reason printed; when the feature is listed in {@code JBPF_REQUIRED_FEATURES}
 * the test fails instead (see {@link TestGate}). On a class it is checked before the class's
 * {@code @BeforeAll}; the reports still list each of its tests, skipped with the reason.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestGate.class)
public @interface Requires {
    Feature[] value();
}
