package dev.jbpf.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs neither the kernel nor privileges: it runs anywhere ({@code mvn test
 * -Dgroups=unit}). TestGate only records the tag, for {@code scripts/test-summary}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("unit")
@ExtendWith(TestGate.class)
public @interface UnitTest {
}
