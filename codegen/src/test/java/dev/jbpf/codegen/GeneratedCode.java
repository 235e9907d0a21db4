package dev.jbpf.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfObject;
import dev.jbpf.bindings.LibBpf;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** Test helpers: compile generated sources as a user's build would, load them, call them. */
final class GeneratedCode {
    private GeneratedCode() {
    }

    /** The loader's and the bindings' classes: what a user's project depends on. */
    static String libraryClasspath() {
        try {
            return Path.of(BpfObject.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    + File.pathSeparator
                    + Path.of(LibBpf.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles sources into classes with -Xlint:all -Werror; fails the test with javac's output. */
    static void compile(List<Path> sources, Path classes) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter output = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            List<String> options = List.of("-Xlint:all", "-Werror", "--release", "22", "-cp", libraryClasspath(),
                    "-d", classes.toString());
            boolean ok = javac.getTask(output, files, null, options, null, units).call();
            assertTrue(ok, "javac -Xlint:all -Werror failed:\n" + output);
        }
    }

    static URLClassLoader loader(Path classes) throws IOException {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, GeneratedCode.class.getClassLoader());
    }

    /** Calls a public method by name (the first with that many parameters), unwrapping what it threw. */
    static Object call(Object target, String method, Object... args) throws Throwable {
        Class<?> type = target instanceof Class<?> c ? c : target.getClass();
        for (var m : type.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == args.length && matches(m.getParameterTypes(), args)) {
                try {
                    return m.invoke(target instanceof Class<?> ? null : target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + method + " with " + args.length + " arguments");
    }

    private static boolean matches(Class<?>[] parameters, Object[] args) {
        for (int i = 0; i < parameters.length; i++) {
            Class<?> p = parameters[i].isPrimitive()
                    ? java.lang.invoke.MethodType.methodType(parameters[i]).wrap().returnType() : parameters[i];
            if (args[i] != null && !p.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    /** Every .java file under dir. */
    static List<Path> javaFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
        }
        return files;
    }
}
