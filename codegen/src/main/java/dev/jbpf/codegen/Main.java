package dev.jbpf.codegen;

import dev.jbpf.btf.BtfCHeader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line the jbpf-maven-plugin runs in a JVM of its own (FFM needs
 * {@code --enable-native-access}, and a libbpf failure must not take Maven down):
 * <pre>
 * skeleton --package PKG --out DIR [--class NAME] [--type NAME]... OBJ...
 * vmlinux [--btf FILE] --out FILE
 * </pre>
 * Exit 0 done, 1 failed (one line "error: ..." on stderr), 2 usage error. People use
 * {@code jbpf gen skeleton} and {@code jbpf gen vmlinux}, which call the same code.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        try {
            if (args.length == 0) {
                throw new Usage("a command: skeleton or vmlinux");
            }
            List<String> rest = List.of(args).subList(1, args.length);
            switch (args[0]) {
                case "skeleton" -> skeleton(rest);
                case "vmlinux" -> vmlinux(rest);
                default -> throw new Usage("unknown command " + args[0] + " (skeleton, vmlinux)");
            }
            return 0;
        } catch (Usage e) {
            System.err.println("usage error: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("error: " + firstLine(e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static final class Usage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    private static void skeleton(List<String> args) {
        String packageName = null;
        String className = null;
        Path out = null;
        List<String> types = new ArrayList<>();
        List<Path> objects = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--package" -> packageName = value(args, ++i, arg);
                case "--class" -> className = value(args, ++i, arg);
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--type" -> types.add(value(args, ++i, arg));
                default -> {
                    if (arg.startsWith("--")) {
                        throw new Usage("unknown option " + arg);
                    }
                    objects.add(Path.of(arg));
                }
            }
        }
        if (packageName == null || out == null || objects.isEmpty()) {
            throw new Usage("skeleton --package PKG --out DIR [--class NAME] [--type NAME]... OBJ...");
        }
        if (className != null && objects.size() > 1) {
            throw new Usage("--class names one class: give one object with it");
        }
        Map<String, Path> byClass = new HashMap<>();
        for (Path object : objects) {
            String name = className != null ? className : SkeletonGenerator.className(object);
            Path other = byClass.putIfAbsent(name, object);
            if (other != null) {
                throw new GenerationException(other + " and " + object + " would both generate " + packageName + "."
                        + name + ": rename one of them");
            }
        }
        for (Path object : objects) {
            Path written = SkeletonGenerator.write(object, new SkeletonGenerator.Options(packageName, className, types), out);
            System.out.println(written);
        }
    }

    private static void vmlinux(List<String> args) {
        Path btf = Path.of("/sys/kernel/btf/vmlinux");
        Path out = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--btf" -> btf = Path.of(value(args, ++i, "--btf"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                default -> throw new Usage("unknown argument " + args.get(i));
            }
        }
        if (out == null) {
            throw new Usage("vmlinux [--btf FILE] --out FILE");
        }
        BtfCHeader.write(btf, out);
        System.out.println(out);
    }

    private static String value(List<String> args, int index, String option) {
        if (index >= args.size()) {
            throw new Usage(option + " needs a value");
        }
        return args.get(index);
    }
}
