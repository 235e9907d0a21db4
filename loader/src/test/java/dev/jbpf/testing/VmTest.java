package dev.jbpf.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A kernel test class that the VM kernel matrix runs as well (it is listed in
 * vm/kernel-matrix-tests; scripts/vm-test runs it in each VM kernel): on the host it is a
 * {@link KernelTest} like the others, so it carries both.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("vm")
public @interface VmTest {
}
