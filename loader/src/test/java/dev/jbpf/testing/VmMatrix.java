package dev.jbpf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * vm/kernel-matrix-tests (what scripts/vm-test runs in the VMs) and the {@link VmTest} tags must
 * say the same: a class the VMs run is counted as a vm test, and a class tagged vm is run there.
 * Each module's tests check their own classes ({@link #disagreements}).
 */
public final class VmMatrix {
    private VmMatrix() {
    }

    /** The list's lines as scripts/vm-test reads them: one class name or `*` pattern each, comments dropped. */
    static List<Pattern> listed(Path list) throws IOException {
        List<Pattern> patterns = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            String name = line.replaceFirst("#.*", "").replaceAll("\\s", "");
            if (!name.isEmpty()) {
                patterns.add(Pattern.compile(name.replace(".", "\\.").replace("$", "\\$").replace("*", "[^.]*")));
            }
        }
        return patterns;
    }

    /**
     * What disagrees for the top-level test classes compiled with {@code anyTestClass} (its
     * module's test-classes directory): classes tagged {@link VmTest} that no line of the list
     * names, and classes the list names without the tag. Empty when they agree.
     */
    public static List<String> disagreements(Class<?> anyTestClass) {
        Path list = Path.of(System.getProperty("jbpf.project.dir", "."), "vm", "kernel-matrix-tests");
        try {
            Path classes = Path.of(anyTestClass.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<Pattern> patterns = listed(list);
            List<String> disagreements = new ArrayList<>();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                    String name = classes.relativize(file).toString().replace('/', '.').replaceFirst("\\.class$", "");
                    Class<?> type = Class.forName(name, false, anyTestClass.getClassLoader());
                    boolean tagged = type.isAnnotationPresent(VmTest.class);
                    boolean inList = patterns.stream().anyMatch(p -> p.matcher(name).matches());
                    if (tagged && !inList) {
                        disagreements.add(name + " is @VmTest but not in " + list);
                    } else if (inList && !tagged) {
                        disagreements.add(name + " is in " + list + " but not @VmTest");
                    }
                }
            }
            return disagreements;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
