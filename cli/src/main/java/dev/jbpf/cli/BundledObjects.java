package dev.jbpf.cli;

import dev.jbpf.BpfObject;
import dev.jbpf.OpenedObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The BPF objects jbpf's own commands load ({@code jbpf tcptrack}, {@code jbpf profile}): built
 * by {@code make bpf} into build/bpf and packaged into the CLI's jar by cli/pom.xml, so the jar
 * (and the container image) carries them. Owns nothing; {@link #open} hands the caller an
 * {@link OpenedObject} it must close (or load, which takes it over).
 */
final class BundledObjects {
    private static final String RESOURCE_DIR = "/dev/jbpf/cli/bpf/";

    private BundledObjects() {
    }

    /** Opens the packaged object {@code name}.bpf.o (e.g. "profile"). */
    static OpenedObject open(String name) {
        return BpfObject.open(bytes(name), name);
    }

    /** The bytes of the packaged object {@code name}.bpf.o. */
    static byte[] bytes(String name) {
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
