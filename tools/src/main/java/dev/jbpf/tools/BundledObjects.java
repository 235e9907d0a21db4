package dev.jbpf.tools;

import dev.jbpf.BpfObject;
import dev.jbpf.OpenedObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The BPF objects jbpf's tools load ({@code profile} for {@link dev.jbpf.tools.profile.StackProfiler},
 * {@code tcptrack_kprobe} and {@code tcptrack_tp} for {@link dev.jbpf.tools.tcptrack.TcpTracker},
 * {@code jvm_gc}, {@code jvm_threads}, {@code jvm_classes}, {@code jvm_compile}, {@code jvm_alloc} and
 * {@code jvm_monitors} for the tools of {@link dev.jbpf.tools.jvm}):
 * built by {@code make bpf} into build/bpf and packaged into this module's jar by tools/pom.xml,
 * so the jar (and the CLI's jar and the container image, which carry it) needs no path to them.
 * Owns nothing; {@link #open} hands the caller an {@link OpenedObject} it must close (or load,
 * which takes it over).
 */
public final class BundledObjects {
    private static final String RESOURCE_DIR = "/dev/jbpf/tools/bpf/";

    private BundledObjects() {
    }

    /** Opens the packaged object {@code name}.bpf.o (e.g. "profile"). */
    public static OpenedObject open(String name) {
        return BpfObject.open(bytes(name), name);
    }

    /** The bytes of the packaged object {@code name}.bpf.o. */
    public static byte[] bytes(String name) {
        String fileName = name + ".bpf.o";
        try (InputStream in = BundledObjects.class.getResourceAsStream(RESOURCE_DIR + fileName)) {
            if (in == null) {
                throw new IllegalStateException("the built-in BPF object " + fileName
                        + " is not packaged with this jbpf (build it with 'make build')");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in BPF object " + fileName, e);
        }
    }
}
