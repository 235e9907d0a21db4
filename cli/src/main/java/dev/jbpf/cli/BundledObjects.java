package dev.jbpf.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the BPF objects jbpf's own commands load (e.g. profile.bpf.o for {@code jbpf profile}):
 * in the directory the system property jbpf.bpf.dir or the variable JBPF_BPF_DIR names, next to
 * the jar (bpf/, as the container image has them), in the source tree the jar was built in
 * (build/bpf), or in ./build/bpf. Owns nothing.
 */
final class BundledObjects {
    private BundledObjects() {
    }

    static Path find(String name) {
        List<Path> dirs = new ArrayList<>();
        String property = System.getProperty("jbpf.bpf.dir");
        if (property != null) {
            dirs.add(Path.of(property));
        }
        String variable = System.getenv("JBPF_BPF_DIR");
        if (variable != null) {
            dirs.add(Path.of(variable));
        }
        try {
            Path jar = Path.of(BundledObjects.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = jar.getParent();
            if (dir != null) {
                dirs.add(dir.resolve("bpf"));
                if (dir.getParent() != null && dir.getParent().getParent() != null) {
                    dirs.add(dir.getParent().getParent().resolve("build/bpf")); // cli/target/jbpf.jar
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: only the other places
        }
        dirs.add(Path.of("build/bpf"));
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(name + " not found (looked in " + dirs
                + "); run 'make bpf' or set JBPF_BPF_DIR");
    }
}
