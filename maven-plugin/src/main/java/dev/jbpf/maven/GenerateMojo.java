package dev.jbpf.maven;

import dev.jbpf.codegen.SkeletonGenerator;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * {@code jbpf:generate}: compiles every {@code src/main/bpf/*.bpf.c} with clang (BPF target,
 * BTF, CO-RE against a vmlinux.h jbpf writes from the kernel's BTF) and generates a typed Java
 * skeleton for each object ({@code jbpf gen skeleton}). Objects go to the build's resources
 * next to their skeleton class, skeletons to generated sources. Incremental: an object is
 * recompiled only when a file it was compiled from (clang's dependency file) or the command
 * changed, a skeleton regenerated only when its object or the options changed; with nothing
 * changed no process is started.
 *
 * <p>The generator runs in a JVM of its own (the Java running Maven, with native access): it
 * drives libbpf through FFM, which a Maven JVM would warn about, and a native failure must not
 * end the build's JVM.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
    private static final String HELPERS = "bpf/bpf_helpers.h";

    /** Where the BPF C sources ({@code *.bpf.c}) are. */
    @Parameter(defaultValue = "${project.basedir}/src/main/bpf", property = "jbpf.bpfSourceDirectory")
    File bpfSourceDirectory;

    /** Extra include directories (the source directory is always one). */
    @Parameter
    List<File> includes = new ArrayList<>();

    /** Extra clang flags, after jbpf's own ({@code -target bpf -g -O2 -D__TARGET_ARCH_x86}). */
    @Parameter
    List<String> cflags = new ArrayList<>();

    /** The clang to run; default {@code clang} on the PATH, else the newest {@code clang-NN}. */
    @Parameter(property = "jbpf.clang")
    String clang;

    /** The BTF vmlinux.h is written from. */
    @Parameter(defaultValue = "/sys/kernel/btf/vmlinux", property = "jbpf.btfFile")
    File btfFile;

    /** A vmlinux.h to use instead of writing one from {@link #btfFile}. */
    @Parameter(property = "jbpf.vmlinuxHeader")
    File vmlinuxHeader;

    /** Where jbpf keeps the vmlinux.h it writes, one per BTF (by SHA-256), shared by every build. */
    @Parameter(defaultValue = "${user.home}/.cache/jbpf/vmlinux", property = "jbpf.vmlinuxCache")
    File vmlinuxCache;

    /** The Java package of the skeletons. */
    @Parameter(required = true, property = "jbpf.packageName")
    String packageName;

    /**
     * Extra types to generate records for ({@code jbpf gen skeleton --type}), e.g. a ring
     * buffer's record: {@code exec_event} for every object, {@code exec_trace:exec_event} for the
     * object exec_trace.bpf.o only.
     */
    @Parameter
    List<String> types = new ArrayList<>();

    @Parameter(defaultValue = "${project.build.directory}/generated-sources/jbpf")
    File outputDirectory;

    @Parameter(defaultValue = "${project.build.directory}/generated-resources/jbpf")
    File resourceDirectory;

    /** Objects, dependency files and stamps. */
    @Parameter(defaultValue = "${project.build.directory}/jbpf")
    File workDirectory;

    @Parameter(defaultValue = "false", property = "jbpf.skip")
    boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${plugin}", readonly = true, required = true)
    PluginDescriptor plugin;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("jbpf: skipped");
            return;
        }
        addRoots();
        List<Path> sources = sources();
        Path work = workDirectory.toPath();
        if (sources.isEmpty()) {
            getLog().info("jbpf: no *.bpf.c in " + bpfSourceDirectory);
            removeStale(work, List.of());
            return;
        }
        if (Runtime.version().feature() < 22) {
            throw new MojoFailureException("jbpf needs a JDK >= 22 (the FFM API); Maven runs on Java "
                    + Runtime.version().feature() + ": set JAVA_HOME to a JDK 22 or newer");
        }
        checkClassNames(sources);
        try {
            Path objects = Files.createDirectories(work.resolve("obj"));
            String clangCommand = clang();
            Path header = vmlinuxHeader();
            checkHelpersHeader();
            List<String> compiled = new ArrayList<>();
            List<Path> objectFiles = new ArrayList<>();
            for (Path source : sources) {
                Path object = objects.resolve(baseName(source) + ".bpf.o");
                if (compile(clangCommand, header, source, object)) {
                    compiled.add(source.getFileName().toString());
                }
                objectFiles.add(object);
            }
            List<String> generated = generate(objectFiles, work);
            removeStale(work, objectFiles);
            if (compiled.isEmpty() && generated.isEmpty()) {
                getLog().info("jbpf: " + sources.size() + " BPF object" + (sources.size() == 1 ? "" : "s") + " up to date");
            } else {
                getLog().info("jbpf: compiled " + (compiled.isEmpty() ? "nothing" : String.join(", ", compiled))
                        + "; generated " + (generated.isEmpty() ? "nothing" : String.join(", ", generated)));
            }
        } catch (IOException e) {
            throw new MojoExecutionException("jbpf: " + e.getMessage(), e);
        }
    }

    private void addRoots() {
        project.addCompileSourceRoot(outputDirectory.getPath());
        boolean present = project.getResources().stream()
                .anyMatch(r -> Objects.equals(r.getDirectory(), resourceDirectory.getPath()));
        if (!present) {
            Resource resource = new Resource();
            resource.setDirectory(resourceDirectory.getPath());
            project.addResource(resource);
        }
    }

    private List<Path> sources() throws MojoExecutionException {
        Path dir = bpfSourceDirectory.toPath();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".bpf.c")).sorted().toList();
        } catch (IOException e) {
            throw new MojoExecutionException("jbpf: cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String baseName(Path source) {
        String name = source.getFileName().toString();
        return name.substring(0, name.length() - ".bpf.c".length());
    }

    /** Two sources whose skeletons would be the same class: say which, before anything is done. */
    private void checkClassNames(List<Path> sources) throws MojoFailureException {
        Map<String, Path> byClass = new TreeMap<>();
        for (Path source : sources) {
            String className = SkeletonGenerator.className(Path.of(baseName(source) + ".bpf.o"));
            Path other = byClass.putIfAbsent(className, source);
            if (other != null) {
                throw new MojoFailureException("jbpf: " + other.getFileName() + " and " + source.getFileName()
                        + " would both generate " + packageName + "." + className + ": rename one of them");
            }
        }
    }

    // ---- clang ---------------------------------------------------------------------------

    private String clang() throws MojoFailureException {
        if (clang != null && !clang.isBlank()) {
            if (clang.contains("/") ? Files.isExecutable(Path.of(clang)) : onPath(clang) != null) {
                return clang;
            }
            throw new MojoFailureException("jbpf: clang '" + clang + "' not found; install it (Debian: apt-get install"
                    + " clang-19) or set <clang> to a clang that has the BPF target");
        }
        if (onPath("clang") != null) {
            return "clang";
        }
        String newest = null;
        int newestVersion = -1;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File[] files = new File(dir).listFiles((d, name) -> name.matches("clang-\\d+"));
            for (File file : files == null ? new File[0] : files) {
                int version = Integer.parseInt(file.getName().substring("clang-".length()));
                if (file.canExecute() && version > newestVersion) {
                    newest = file.getName();
                    newestVersion = version;
                }
            }
        }
        if (newest == null) {
            throw new MojoFailureException("jbpf: no clang on the PATH (clang or clang-NN); install it"
                    + " (Debian: apt-get install clang-19) or set <clang>");
        }
        return newest;
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private void checkHelpersHeader() throws MojoFailureException {
        List<Path> dirs = new ArrayList<>(includeDirs());
        dirs.add(Path.of("/usr/include"));
        dirs.add(Path.of("/usr/local/include"));
        if (dirs.stream().noneMatch(dir -> Files.isRegularFile(dir.resolve(HELPERS)))) {
            throw new MojoFailureException("jbpf: " + HELPERS + " not found (it comes with libbpf's headers:"
                    + " apt-get install libbpf-dev), or add the directory that has it to <includes>");
        }
    }

    private List<Path> includeDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(bpfSourceDirectory.toPath());
        includes.forEach(dir -> dirs.add(dir.toPath()));
        return dirs;
    }

    /** Compiles source into object unless it is up to date; true when it compiled. */
    private boolean compile(String clangCommand, Path header, Path source, Path object)
            throws IOException, MojoFailureException {
        Path depFile = object.resolveSibling(baseName(source) + ".d");
        Path commandFile = object.resolveSibling(baseName(source) + ".cmd");
        List<String> command = new ArrayList<>(List.of(clangCommand, "-target", "bpf", "-g", "-O2",
                "-D__TARGET_ARCH_x86", "-I" + header.getParent()));
        includeDirs().forEach(dir -> command.add("-I" + dir));
        command.addAll(cflags);
        command.addAll(List.of("-MD", "-MF", depFile.toString(), "-c", source.toString(), "-o"));
        String recorded = String.join("\n", command);
        if (Files.isRegularFile(commandFile) && Files.readString(commandFile).equals(recorded)
                && DepFile.upToDate(object, depFile)) {
            return false;
        }
        Path temp = object.resolveSibling("." + object.getFileName() + ".tmp");
        command.add(temp.toString());
        getLog().debug("jbpf: " + String.join(" ", command));
        Run run = run(command, project.getBasedir().toPath());
        if (run.exit() != 0) {
            Files.deleteIfExists(temp);
            throw new MojoFailureException("jbpf: clang failed on " + source.getFileName() + ":\n" + run.output().strip());
        }
        if (!run.output().isBlank()) {
            run.output().lines().forEach(getLog()::warn); // clang's warnings, as clang printed them
        }
        move(temp, object);
        Files.writeString(commandFile, recorded);
        return true;
    }

    // ---- vmlinux.h -----------------------------------------------------------------------

    private Path vmlinuxHeader() throws IOException, MojoFailureException {
        if (vmlinuxHeader != null) {
            Path given = vmlinuxHeader.toPath();
            if (!Files.isRegularFile(given) || !given.getFileName().toString().equals("vmlinux.h")) {
                throw new MojoFailureException("jbpf: <vmlinuxHeader> " + given + " must be an existing file named vmlinux.h");
            }
            return given;
        }
        Path btf = btfFile.toPath();
        if (!Files.isRegularFile(btf)) {
            throw new MojoFailureException("jbpf: no BTF at " + btf + " (this kernel was built without"
                    + " CONFIG_DEBUG_INFO_BTF): set <btfFile> to a BTF file for the target kernel (e.g. from BTFHub)"
                    + " or <vmlinuxHeader> to a vmlinux.h");
        }
        Path header = vmlinuxCache.toPath().resolve(btfDigest(btf)).resolve("vmlinux.h");
        if (!Files.isRegularFile(header)) {
            Files.createDirectories(header.getParent());
            fork(List.of("vmlinux", "--btf", btf.toString(), "--out", header.toString()), "write vmlinux.h");
            getLog().info("jbpf: wrote " + header + " from " + btf);
        }
        return header;
    }

    /**
     * The SHA-256 of the BTF file, remembered in the work directory with its size and modification
     * time: hashing the kernel's ~6 MB of BTF on every build would be most of a warm build's cost.
     */
    private String btfDigest(Path btf) throws IOException {
        String key = btf.toAbsolutePath() + " " + Files.size(btf) + " " + Files.getLastModifiedTime(btf).toMillis();
        Path remembered = workDirectory.toPath().resolve("btf.sha256");
        if (Files.isRegularFile(remembered)) {
            List<String> lines = Files.readAllLines(remembered);
            if (lines.size() == 2 && lines.get(0).equals(key)) {
                return lines.get(1);
            }
        }
        String digest = sha256(btf);
        Files.writeString(Files.createDirectories(workDirectory.toPath()).resolve("btf.sha256"), key + "\n" + digest + "\n");
        return digest;
    }

    // ---- skeletons ----------------------------------------------------------------------

    /** Regenerates the skeletons that are out of date (one JVM per set of --type names); returns their class names. */
    private List<String> generate(List<Path> objects, Path work) throws IOException, MojoFailureException {
        Path stamps = Files.createDirectories(work.resolve("stamps"));
        Map<List<String>, List<Path>> stale = new LinkedHashMap<>();
        Map<Path, String> stampTexts = new LinkedHashMap<>();
        for (Path object : objects) {
            List<String> objectTypes = typesOf(object);
            String stamp = String.join("\n", "jbpf " + plugin.getVersion(), "package " + packageName,
                    "types " + objectTypes, "object " + sha256(object));
            stampTexts.put(object, stamp);
            Path stampFile = stamps.resolve(object.getFileName() + ".stamp");
            boolean current = Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)
                    && Files.isRegularFile(skeletonFile(object)) && Files.isRegularFile(resourceFile(object));
            if (!current) {
                stale.computeIfAbsent(objectTypes, k -> new ArrayList<>()).add(object);
            }
        }
        List<String> generated = new ArrayList<>();
        for (Map.Entry<List<String>, List<Path>> group : stale.entrySet()) {
            Path temp = Files.createTempDirectory(work, "generate");
            try {
                List<String> args = new ArrayList<>(List.of("skeleton", "--package", packageName, "--out", temp.toString()));
                group.getKey().forEach(type -> args.addAll(List.of("--type", type)));
                group.getValue().forEach(object -> args.add(object.toString()));
                fork(args, "generate skeletons");
                for (Path object : group.getValue()) {
                    String className = SkeletonGenerator.className(object);
                    Path written = SkeletonGenerator.sourcePath(temp, packageName, className);
                    Files.createDirectories(skeletonFile(object).getParent());
                    move(written, skeletonFile(object));
                    Files.createDirectories(resourceFile(object).getParent());
                    Path copy = resourceFile(object).resolveSibling("." + object.getFileName() + ".tmp");
                    Files.copy(object, copy, StandardCopyOption.REPLACE_EXISTING);
                    move(copy, resourceFile(object));
                    Files.writeString(stamps.resolve(object.getFileName() + ".stamp"), stampTexts.get(object));
                    generated.add(className);
                }
            } finally {
                deleteTree(temp);
            }
        }
        return generated;
    }

    /** The --type names for object: plain names, and OBJECT:NAME entries of this object. */
    private List<String> typesOf(Path object) {
        String base = object.getFileName().toString();
        base = base.substring(0, base.indexOf('.'));
        List<String> result = new ArrayList<>();
        for (String type : types) {
            int colon = type.indexOf(':');
            if (colon < 0) {
                result.add(type.strip());
            } else if (type.substring(0, colon).strip().equals(base)) {
                result.add(type.substring(colon + 1).strip());
            }
        }
        return result;
    }

    private Path skeletonFile(Path object) {
        return SkeletonGenerator.sourcePath(outputDirectory.toPath(), packageName, SkeletonGenerator.className(object));
    }

    private Path resourceFile(Path object) {
        return SkeletonGenerator.packageDir(resourceDirectory.toPath(), packageName).resolve(object.getFileName());
    }

    /** Deletes the objects, skeletons and stamps of sources that are gone. */
    private void removeStale(Path work, List<Path> objects) throws MojoExecutionException {
        Path stamps = work.resolve("stamps");
        if (!Files.isDirectory(stamps)) {
            return;
        }
        List<String> current = objects.stream().map(o -> o.getFileName() + ".stamp").toList();
        try (Stream<Path> files = Files.list(stamps)) {
            for (Path stamp : files.toList()) {
                String name = stamp.getFileName().toString();
                if (!name.endsWith(".stamp") || current.contains(name)) {
                    continue;
                }
                Path object = work.resolve("obj").resolve(name.substring(0, name.length() - ".stamp".length()));
                Files.deleteIfExists(skeletonFile(object));
                Files.deleteIfExists(resourceFile(object));
                Files.deleteIfExists(object);
                Files.deleteIfExists(stamp);
                getLog().info("jbpf: removed the skeleton and object of " + object.getFileName() + " (its source is gone)");
            }
        } catch (IOException e) {
            throw new MojoExecutionException("jbpf: cannot clean up " + stamps + ": " + e.getMessage(), e);
        }
    }

    // ---- processes and files -------------------------------------------------------------

    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command, Path directory) throws IOException, MojoFailureException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new MojoFailureException("jbpf: cannot run " + command.get(0) + ": " + e.getMessage());
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new MojoFailureException("jbpf: " + command.get(0) + " did not finish in 10 minutes");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MojoFailureException("jbpf: interrupted");
        }
        return new Run(process.exitValue(), output);
    }

    /** Runs dev.jbpf.codegen.Main in a JVM of its own on the plugin's classpath. */
    private void fork(List<String> args, String what) throws IOException, MojoFailureException {
        String classpath = plugin.getArtifacts().stream().map(Artifact::getFile).filter(Objects::nonNull)
                .map(File::getPath).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "dev.jbpf.codegen.Main"));
        command.addAll(args);
        Run run = run(command, project.getBasedir().toPath());
        if (run.exit() != 0) {
            String reason = run.output().lines().filter(l -> l.startsWith("error: ") || l.startsWith("usage error: "))
                    .findFirst().orElse(run.output().strip());
            throw new MojoFailureException("jbpf: cannot " + what + ": " + reason.replaceFirst("^(usage )?error: ", ""));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }
}
