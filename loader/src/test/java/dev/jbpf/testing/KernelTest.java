package dev.jbpf.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that loads programs into the running kernel: {@link TestGate} skips it, printing why,
 * unless this process may load BPF programs (root, or CAP_BPF + CAP_PERFMON). On a class the
 * check comes before its {@code @BeforeAll}, so set-up that loads or pins is skipped with it.
 * What else the test needs from the kernel: {@link Requires}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(TestGate.class)
public @interface KernelTest {
    /**
     * True for tests that need uid 0 itself, not only the BPF capabilities: network
     * namespaces, veth pairs and cgroups are made by root, and so are files in bpffs.
     */
    boolean root() default false;
}
