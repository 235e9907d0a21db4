import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * scripts/test-summary: one line per JUnit tag (unit, kernel, vm, container) of the tests the
 * last run reported: how many ran, passed, failed and were skipped, with the skip reasons
 * counted. Run by scripts/test-summary (which finds the JDK) at the end of `make test`.
 *
 * <p>Sources: surefire's XML reports (MODULE/target/surefire-reports/TEST-*.xml) for what
 * happened; the tags are not in them, so each test's tags come from what dev.jbpf.testing.TestGate
 * recorded (MODULE/target/test-tags/CLASS.tsv), or, for modules that do not reach it, from the
 * class-level {@code @Tag("...")} line of the test's source. On the host a test counts under
 * container, else kernel, else unit (a kernel-matrix class is a kernel test here). The VM
 * matrix's JUnit XML (build/vm-test/KERNEL/) is all vm, its skip reasons prefixed with the kernel.
 *
 * <p>{@code --since FILE}: only reports written after FILE (make test touches one when it starts,
 * so the reports of classes that no longer exist, or of a step that did not run, are left out).
 * Exit status 1 when a test has no tag (a tag forgotten), else 0: failures are the test run's
 * to report.
 */
public class TestSummary {
    private static final List<String> TAGS = List.of("unit", "kernel", "vm", "container");
    private static final Pattern CLASS_TAG = Pattern.compile("^@Tag\\(\"(\\w+)\"\\)", Pattern.MULTILINE);

    /** Counts of one tag. */
    static final class Line {
        int run;
        int passed;
        int failed;
        final Map<String, Integer> skipped = new TreeMap<>();
        final Set<String> where = new TreeSet<>();

        int skippedCount() {
            return skipped.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Path top;
    private final FileTime since;
    private final Map<String, Line> lines = new LinkedHashMap<>();
    private final List<String> untagged = new ArrayList<>();
    private final Map<Path, Map<String, String>> recordsByFile = new HashMap<>();
    /** The kernel matrix: kernel (the host's first, then each VM's) → tag → counts. */
    private final Map<String, Map<String, Line>> matrix = new LinkedHashMap<>();
    private final String hostKernel = "host " + System.getProperty("os.version");

    TestSummary(Path top, FileTime since) {
        this.top = top;
        this.since = since;
        for (String tag : TAGS) {
            lines.put(tag, new Line());
        }
    }

    public static void main(String[] args) throws Exception {
        Path top = Path.of(".").toAbsolutePath().normalize();
        FileTime since = FileTime.fromMillis(0);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--since" -> since = Files.getLastModifiedTime(Path.of(args[++i]));
                case "--top" -> top = Path.of(args[++i]).toAbsolutePath().normalize();
                default -> {
                    System.err.println("usage: scripts/test-summary [--since FILE] [--top DIR]");
                    System.exit(2);
                }
            }
        }
        TestSummary summary = new TestSummary(top, since);
        summary.readHost();
        summary.readVms();
        summary.print();
        String table = summary.matrixTable();
        System.out.println("test-summary: the kernel matrix (also in build/test-matrix.md):");
        System.out.print(table);
        Files.createDirectories(top.resolve("build"));
        Files.writeString(top.resolve("build/test-matrix.md"), table);
        System.exit(summary.untagged.isEmpty() ? 0 : 1);
    }

    /** MODULE/target/surefire-reports/TEST-*.xml of every module one level down. */
    void readHost() throws IOException {
        try (Stream<Path> modules = Files.list(top)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                for (Path report : reports(module.resolve("target/surefire-reports"))) {
                    for (Element testcase : testcases(report)) {
                        String tag = hostTag(module, testcase);
                        if (tag == null) {
                            untagged.add(testcase.getAttribute("classname") + "." + testcase.getAttribute("name"));
                            tag = "untagged";
                        }
                        count(lines.computeIfAbsent(tag, t -> new Line()), testcase, "");
                        count(cell(hostKernel, tag), testcase, "");
                    }
                }
            }
        }
    }

    /** build/vm-test/KERNEL/*.xml: the classes of the VM matrix, run in each kernel. */
    void readVms() throws IOException {
        Path vms = top.resolve("build/vm-test");
        if (!Files.isDirectory(vms)) {
            return;
        }
        try (Stream<Path> kernels = Files.list(vms)) {
            for (Path kernel : kernels.filter(Files::isDirectory).sorted().toList()) {
                for (Path report : reports(kernel)) {
                    Line vm = lines.get("vm");
                    vm.where.add(kernel.getFileName().toString());
                    // in the guest every matrix class is a kernel test: the VM is where it ran, not what it is
                    Line row = cell(vmKernel(kernel), "kernel");
                    for (Element testcase : testcases(report)) {
                        count(vm, testcase, kernel.getFileName() + ": ");
                        count(row, testcase, "");
                    }
                }
            }
        }
    }

    private Line cell(String kernel, String tag) {
        return matrix.computeIfAbsent(kernel, k -> new LinkedHashMap<>()).computeIfAbsent(tag, t -> new Line());
    }

    /** "5.10 (linux-image-5.10.0-46-amd64=5.10.262-1)": the series and the package vm-test wrote to KERNEL/kernel. */
    private static String vmKernel(Path dir) throws IOException {
        Path packageFile = dir.resolve("kernel");
        String name = dir.getFileName().toString();
        return Files.isRegularFile(packageFile) ? name + " (" + Files.readString(packageFile).strip() + ")" : name;
    }

    private List<Path> reports(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> reports = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("TEST-") && name.endsWith(".xml")
                        && Files.getLastModifiedTime(file).compareTo(since) >= 0) {
                    reports.add(file);
                }
            }
            return reports;
        }
    }

    private static List<Element> testcases(Path report) {
        try {
            NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                    .getElementsByTagName("testcase");
            List<Element> testcases = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                testcases.add((Element) nodes.item(i));
            }
            return testcases;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + report + ": " + e.getMessage(), e);
        }
    }

    private static void count(Line line, Element testcase, String reasonPrefix) {
        line.run++;
        if (child(testcase, "failure").isPresent() || child(testcase, "error").isPresent()) {
            line.failed++;
        } else {
            Optional<Element> skipped = child(testcase, "skipped");
            if (skipped.isPresent()) {
                line.skipped.merge(reasonPrefix + reason(skipped.get()), 1, Integer::sum);
            } else {
                line.passed++;
            }
        }
    }

    private static Optional<Element> child(Element parent, String name) {
        NodeList children = parent.getElementsByTagName(name);
        return children.getLength() > 0 ? Optional.of((Element) children.item(0)) : Optional.empty();
    }

    /**
     * The reason a test was skipped: surefire's message attribute (a condition's reason), else the
     * first line of the text (an aborted test's stack trace), without the exception's name.
     */
    static String reason(Element skipped) {
        String reason = skipped.getAttribute("message");
        if (reason.isBlank()) {
            reason = skipped.getTextContent().strip().lines().findFirst().orElse("");
        }
        reason = reason.replaceFirst("^org\\.opentest4j\\.TestAbortedException: ", "")
                .replaceFirst("^Assumption failed: ", "")
                .replaceFirst("^parent was skipped: ", ""); // the console launcher's words for a skipped class's tests
        return reason.isBlank() ? "(no reason given)" : reason;
    }

    /** container, else kernel, else unit, from the test's recorded tags or its class's @Tag line; null when none. */
    private String hostTag(Path module, Element testcase) {
        String type = testcase.getAttribute("classname");
        String name = testcase.getAttribute("name");
        String method = name.replaceFirst("[(\\[].*", "");
        Map<String, String> records = records(module.resolve("target/test-tags").resolve(type + ".tsv"));
        String tags = records.get(method);
        if (tags == null || tags.isEmpty()) {
            tags = records.get(""); // the class's own tags (a class-level report: its @BeforeAll failed)
        }
        if (tags == null || tags.isEmpty()) {
            tags = sourceTag(module, type);
        }
        if (tags == null || tags.isEmpty()) {
            return null;
        }
        Set<String> set = Set.of(tags.split(","));
        for (String tag : List.of("container", "kernel", "unit", "vm")) {
            if (set.contains(tag)) {
                return tag;
            }
        }
        return null;
    }

    private Map<String, String> records(Path file) {
        return recordsByFile.computeIfAbsent(file, f -> {
            Map<String, String> records = new HashMap<>();
            if (Files.isRegularFile(f)) {
                try {
                    for (String line : Files.readAllLines(f)) {
                        int tab = line.indexOf('\t');
                        if (tab >= 0) {
                            records.put(line.substring(0, tab), line.substring(tab + 1));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return records;
        });
    }

    /** The class-level {@code @Tag("x")} of MODULE/src/test/java/CLASS.java (nested classes: their file's). */
    private static String sourceTag(Path module, String type) {
        Path source = module.resolve("src/test/java").resolve(type.replaceFirst("\\$.*", "").replace('.', '/') + ".java");
        if (!Files.isRegularFile(source)) {
            return null;
        }
        try {
            Matcher tags = CLASS_TAG.matcher(Files.readString(source));
            List<String> found = new ArrayList<>();
            while (tags.find()) {
                found.add(tags.group(1));
            }
            return String.join(",", found);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kernel matrix as a Markdown table (kernel x tag: run / passed / skipped, and failed
     * when any), then each kernel's skip reasons; printed at the end of make test and written to
     * build/test-matrix.md, from which README's Kernels section is kept.
     */
    String matrixTable() {
        List<String> tags = List.of("unit", "kernel", "container");
        StringBuilder out = new StringBuilder("| kernel | ");
        out.append(String.join(" | ", tags)).append(" |\n|---|").append("---|".repeat(tags.size())).append("\n");
        matrix.forEach((kernel, row) -> {
            out.append("| ").append(kernel).append(" |");
            for (String tag : tags) {
                Line line = row.get(tag);
                out.append(' ').append(line == null ? "-" : line.run + " / " + line.passed + " / " + line.skippedCount()
                        + (line.failed > 0 ? " / **" + line.failed + " failed**" : "")).append(" |");
            }
            out.append("\n");
        });
        out.append("\n(run / passed / skipped)\n");
        matrix.forEach((kernel, row) -> {
            Map<String, Integer> reasons = new TreeMap<>();
            row.values().forEach(line -> line.skipped.forEach((reason, n) -> reasons.merge(reason, n, Integer::sum)));
            if (!reasons.isEmpty()) {
                out.append("\nSkipped on ").append(kernel).append(":\n");
                reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                        .forEach(e -> out.append("- ").append(e.getValue()).append(" × ").append(e.getKey()).append("\n"));
            }
        });
        return out.toString();
    }

    void print() {
        lines.forEach((tag, line) -> {
            StringBuilder out = new StringBuilder("test-summary: ").append(tag).append(": ");
            if (line.run == 0) {
                out.append(switch (tag) {
                    case "vm" -> "no reports (build/vm-test/: make vm-test, as root)";
                    case "container" -> "no reports (container-tests: make image, then mvn test)";
                    default -> "no reports";
                });
            } else {
                out.append(line.run).append(" run");
                if (!line.where.isEmpty()) {
                    out.append(" (kernels ").append(String.join(", ", line.where)).append(")");
                }
                out.append(", ").append(line.passed).append(" passed, ").append(line.failed).append(" failed, ")
                        .append(line.skippedCount()).append(" skipped");
                if (!line.skipped.isEmpty()) {
                    out.append(": ").append(line.skipped.entrySet().stream()
                            .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                                    .thenComparing(Map.Entry.comparingByKey()))
                            .map(e -> e.getValue() + " × " + e.getKey())
                            .collect(Collectors.joining("; ")));
                }
            }
            System.out.println(out);
        });
        if (!untagged.isEmpty()) {
            System.out.println("test-summary: " + untagged.size() + " tests have no tag (unit, kernel, container; "
                    + "see dev.jbpf.testing): " + untagged.stream().limit(10).collect(Collectors.joining(", "))
                    + (untagged.size() > 10 ? ", ..." : ""));
        }
    }
}
