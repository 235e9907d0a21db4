package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.btf.BtfCHeader;
import dev.jbpf.codegen.GenerationException;
import dev.jbpf.codegen.SkeletonGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf gen skeleton} (typed Java for a .bpf.o, as {@code bpftool gen skeleton} writes C)
 * and {@code jbpf gen vmlinux} (the vmlinux.h BPF C includes). The Maven plugin runs the same
 * generator.
 */
@Command(name = "gen", description = "Generate code from BPF objects and BTF.", mixinStandardHelpOptions = true,
        subcommands = {GenCommand.Skeleton.class, GenCommand.Vmlinux.class})
final class GenCommand {
    private GenCommand() {
    }

    @Command(name = "skeleton", mixinStandardHelpOptions = true,
            description = "Write a typed Java class for OBJ: its stages (open, configure, load, attach, close), "
                    + "an accessor per program, map and global variable, and a record or enum per BTF type its maps "
                    + "and globals use (and per --type).")
    static final class Skeleton implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "OBJ", description = "A compiled BPF object (.bpf.o) with BTF (-g).")
        Path object;
        @Option(names = "--package", required = true, paramLabel = "PKG", description = "The Java package of the class.")
        String packageName;
        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "Source root: the class goes to DIR/the/package/Name.java.")
        Path out;
        @Option(names = "--class", paramLabel = "NAME",
                description = "The class name (default: the file name before its first dot, in UpperCamelCase).")
        String className;
        @Option(names = "--type", paramLabel = "NAME",
                description = "Also generate a record for this struct/union/enum/typedef (e.g. a ring buffer's record); repeatable.")
        List<String> types = new ArrayList<>();

        @Override
        public Integer call() {
            Path written;
            SkeletonGenerator.Options settings = new SkeletonGenerator.Options(packageName, className, types);
            try {
                written = SkeletonGenerator.write(object, settings, out);
            } catch (GenerationException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            PrintWriter stdout = spec.commandLine().getOut();
            if (options.json()) {
                ObjectNode node = Output.object();
                node.put("file", written.toString());
                node.put("class", (packageName.isEmpty() ? "" : packageName + ".")
                        + (className != null ? className : SkeletonGenerator.className(object)));
                types.forEach(node.putArray("types")::add);
                Output.printJson(stdout, node, options);
            } else {
                stdout.println(written);
                stdout.flush();
            }
            return Main.EXIT_OK;
        }
    }

    @Command(name = "vmlinux", mixinStandardHelpOptions = true,
            description = "Write the C header of every type of a BTF file (vmlinux.h), as bpftool btf dump ... format c.")
    static final class Vmlinux implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Option(names = "--btf", paramLabel = "FILE", description = "The BTF (default: /sys/kernel/btf/vmlinux).")
        Path btf = Path.of("/sys/kernel/btf/vmlinux");
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The header to write.")
        Path out;

        @Override
        public Integer call() {
            BtfCHeader.write(btf, out);
            PrintWriter stdout = spec.commandLine().getOut();
            if (options.json()) {
                ObjectNode node = Output.object();
                node.put("file", out.toString());
                Output.printJson(stdout, node, options);
            } else {
                stdout.println(out);
                stdout.flush();
            }
            return Main.EXIT_OK;
        }
    }
}
