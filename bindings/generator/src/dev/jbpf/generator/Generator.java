package dev.jbpf.generator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Generates the {@code dev.jbpf.bindings} FFM bindings for libbpf from the installed headers.
 * See bindings/README.md for the shape of the generated API.
 *
 * <p>Usage: {@code java Generator.java [OUTDIR]} (default {@code bindings/src/main/java});
 * environment {@code CLANG} names the clang binary (default {@code clang-19}).
 *
 * <p>Inputs, all from clang so that we agree with a C compiler: the JSON AST (declarations
 * and types), the record layout dump (sizes, alignments, field and bit offsets) and the
 * preprocessor's macro definitions. Output is sorted and free of paths and timestamps, so a
 * regeneration from the same headers is byte-identical.
 */
public final class Generator {

    static final String PACKAGE = "dev.jbpf.bindings";

    static final List<String> HEADERS = List.of("bpf/libbpf.h", "bpf/bpf.h", "bpf/btf.h", "bpf/libbpf_common.h",
            "bpf/libbpf_version.h", "linux/bpf.h", "linux/perf_event.h");

    /**
     * Declarations are kept when they come from libbpf's own headers (everything in the
     * {@code bpf/} include directory, e.g. also libbpf_legacy.h) or from the kernel uapi
     * headers the libbpf API is expressed in. Everything else (libc, linux/types.h ...) is
     * only used to resolve types.
     */
    static final Pattern OUR_FILES = Pattern.compile(".*/bpf/[^/]+\\.h|.*/linux/(bpf|bpf_common|btf|perf_event)\\.h");

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "bindings/src/main/java");
        long t0 = System.nanoTime();
        String clang = System.getenv().getOrDefault("CLANG", "clang-19");
        Path dir = Files.createTempDirectory("jbpf-gen");
        try {
            Path wrapper = dir.resolve("jbpf_bindings.h");
            StringBuilder w = new StringBuilder();
            for (String h : HEADERS) w.append("#include <").append(h).append(">\n");
            Files.writeString(wrapper, w);
            String f = wrapper.toString();
            // The three clang runs are independent.
            var ast = run(clang, "-x", "c", "-fsyntax-only", "-Xclang", "-ast-dump=json", f);
            var layouts = run(clang, "-x", "c", "-fsyntax-only", "-Xclang", "-fdump-record-layouts-complete", f);
            var macros = run(clang, "-x", "c", "-E", "-dD", f);
            Model model = new Model(Json.obj(Json.parse(ast.join())), RecordLayouts.parse(layouts.join()));
            model.readMacros(macros.join());
            Map<String, String> files = new Emitter(model).emit();
            write(out.resolve(PACKAGE.replace('.', '/')), files);
            long bytes = files.values().stream().mapToLong(String::length).sum();
            System.err.printf("jbpf generator: libbpf %s headers -> %d files, %d bytes, %d functions (%d skipped),"
                            + " %d records, %d callbacks, %d constants in %d ms%n",
                    model.headerVersion, files.size(), bytes, model.functions.size(), model.skipped.size(),
                    model.recordClasses.size(), model.callbacks.size(), model.constants.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            model.skipped.forEach((k, v) -> System.err.println("  skipped " + k + ": " + v));
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    private static CompletableFuture<String> run(String... cmd) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                p.getOutputStream().close();
                String s;
                try (InputStream in = p.getInputStream()) {
                    s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed");
                return s;
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + cmd[0] + " (install clang-19: make deps)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** Writes the files, removes stale generated sources, leaves unchanged files untouched. */
    private static void write(Path pkg, Map<String, String> files) throws IOException {
        Files.createDirectories(pkg);
        try (var s = Files.list(pkg)) {
            for (Path p : s.toList()) {
                if (p.toString().endsWith(".java") && !files.containsKey(p.getFileName().toString())) Files.delete(p);
            }
        }
        for (var e : files.entrySet()) {
            Path p = pkg.resolve(e.getKey());
            byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(p) || !java.util.Arrays.equals(Files.readAllBytes(p), b)) Files.write(p, b);
        }
    }

    /** What the generator knows about the headers, distilled from clang's outputs. */
    static final class Model implements CType.Scope {
        final Map<String, String> typedefs = new LinkedHashMap<>();
        final Map<String, Integer> enumSizes = new LinkedHashMap<>();
        /** Every enum constant of any header (macros may refer to them). */
        final Map<String, Macros.Val> allEnumConstants = new LinkedHashMap<>();
        /** Constants to publish: enum constants and macros of our headers, by name. */
        final Map<String, Macros.Val> constants = new TreeMap<>();
        final Map<String, Function> functions = new TreeMap<>();
        final Map<String, CType.Fn> callbacks = new TreeMap<>();
        final Map<String, String> callbackSpelling = new TreeMap<>();
        /** Tag → layout of the records that get a class. */
        final Map<String, RecordLayouts.Record> recordClasses = new TreeMap<>();
        final Map<String, RecordLayouts.Record> layouts;
        final Map<String, String> skipped = new TreeMap<>();
        String headerVersion = "?";

        private final Map<String, Boolean> ourRecords = new TreeMap<>(); // tag -> union
        private final Map<String, CType> parsed = new java.util.HashMap<>();
        private final IdentityHashMap<Map<String, Object>, String> fileOf = new IdentityHashMap<>();
        private String lastFile = "";

        record Param(String name, CType type, String spelling) {}

        record Function(String name, CType ret, List<Param> params, String spelling) {}

        Model(Map<String, Object> tu, Map<String, RecordLayouts.Record> layouts) {
            this.layouts = layouts;
            track(tu);
            List<Map<String, Object>> enums = new ArrayList<>();
            List<Map<String, Object>> fns = new ArrayList<>();
            List<Map<String, Object>> fnTypedefs = new ArrayList<>();
            for (Object o : Json.arr(tu.get("inner"))) collect(Json.obj(o), enums, fns, fnTypedefs);
            for (var e : enums) readEnum(e);
            for (var f : fns) readFunction(f);
            for (var t : fnTypedefs) {
                String name = (String) t.get("name");
                CType ty = type(typeSpelling(t));
                if (ty instanceof CType.Ptr p && p.to() instanceof CType.Fn fn) ty = fn;
                if (ty instanceof CType.Fn fn) {
                    String why = unsupported(fn);
                    if (why != null) skipped.put(name, why);
                    else { callbacks.put(name, fn); callbackSpelling.put(name, typeSpelling(t)); }
                }
            }
            for (var e : ourRecords.entrySet()) addRecordClass(e.getKey(), e.getValue());
            for (var f : functions.values()) {
                for (var p : f.params()) if (p.type() instanceof CType.Rec r) addRecordClass(r.tag(), r.union());
            }
        }

        /**
         * Walks the whole dump in document order to attribute each node to its file: clang
         * writes a location's "file" only when it differs from the previously written one
         * (and "includedFrom" is not a location).
         */
        private void track(Map<String, Object> node) {
            for (var e : node.entrySet()) {
                switch (e.getKey()) {
                    case "loc" -> { loc(e.getValue()); fileOf.put(node, lastFile); }
                    case "range" -> { var r = Json.obj(e.getValue()); loc(r.get("begin")); loc(r.get("end")); }
                    case "inner" -> { for (Object c : Json.arr(e.getValue())) track(Json.obj(c)); }
                    default -> { }
                }
            }
        }

        private void loc(Object o) {
            if (!(o instanceof Map<?, ?>)) return;
            var m = Json.obj(o);
            if (m.containsKey("spellingLoc")) { loc(m.get("spellingLoc")); loc(m.get("expansionLoc")); }
            else if (m.get("file") instanceof String f) lastFile = f;
        }

        boolean ours(Map<String, Object> node) {
            String f = fileOf.get(node);
            return f != null && OUR_FILES.matcher(f).matches();
        }

        private void collect(Map<String, Object> n, List<Map<String, Object>> enums,
                             List<Map<String, Object>> fns, List<Map<String, Object>> fnTypedefs) {
            String kind = (String) n.get("kind");
            String name = (String) n.get("name");
            switch (kind) {
                case "TypedefDecl" -> {
                    typedefs.putIfAbsent(name, typeSpelling(n));
                    if (ours(n) && typeSpelling(n).contains("(")) fnTypedefs.add(n);
                }
                case "EnumDecl" -> enums.add(n);
                case "RecordDecl" -> {
                    if (name != null && Boolean.TRUE.equals(n.get("completeDefinition")) && ours(n)) {
                        ourRecords.put(name, "union".equals(n.get("tagUsed")));
                    }
                    // enums may be declared inside a record body
                    for (Object c : Json.arr(n.get("inner"))) {
                        var cn = Json.obj(c);
                        if (!"FieldDecl".equals(cn.get("kind"))) collect(cn, enums, fns, fnTypedefs);
                    }
                }
                case "FunctionDecl" -> { if (ours(n)) fns.add(n); }
                default -> { }
            }
        }

        private static String typeSpelling(Map<String, Object> n) {
            return (String) Json.obj(n.get("type")).get("qualType");
        }

        private void readEnum(Map<String, Object> e) {
            int size = 4;
            Macros.Val prev = null;
            List<String> names = new ArrayList<>();
            for (Object o : Json.arr(e.get("inner"))) {
                var c = Json.obj(o);
                if (!"EnumConstantDecl".equals(c.get("kind"))) continue;
                CType.Prim t = (CType.Prim) type(typeSpelling(c));
                String value = constantValue(c);
                Macros.Val v = value != null
                        ? Macros.Val.of(new java.math.BigInteger(value).longValue(), t.size() == 8, !t.signed())
                        : prev == null ? Macros.Val.of(0, false, false) : Macros.Val.of(prev.v() + 1, prev.wide(), prev.unsigned());
                allEnumConstants.put((String) c.get("name"), v);
                names.add((String) c.get("name"));
                size = Math.max(size, t.size());
                prev = v;
            }
            if (e.get("fixedUnderlyingType") instanceof Map<?, ?> u) {
                size = ((CType.Prim) type((String) Json.obj(u).get("qualType"))).size();
            }
            if (e.get("name") instanceof String tag) enumSizes.put(tag, size);
            if (ours(e)) for (String n : names) constants.put(n, allEnumConstants.get(n));
        }

        private static String constantValue(Map<String, Object> n) {
            if (n.get("value") instanceof String v && "ConstantExpr".equals(n.get("kind"))) return v;
            for (Object o : Json.arr(n.get("inner"))) {
                String v = constantValue(Json.obj(o));
                if (v != null) return v;
            }
            return null;
        }

        private void readFunction(Map<String, Object> n) {
            String name = (String) n.get("name");
            if (functions.containsKey(name) || skipped.containsKey(name)) return;
            if ("static".equals(n.get("storageClass"))) {
                skipped.put(name, "static inline in the header, not exported by libbpf.so");
                return;
            }
            CType.Fn fn = (CType.Fn) type(typeSpelling(n));
            String why = fn.variadic() ? "variadic" : unsupported(fn);
            if (why != null) { skipped.put(name, why); return; }
            List<Param> params = new ArrayList<>();
            int i = 0;
            for (Object o : Json.arr(n.get("inner"))) {
                var p = Json.obj(o);
                if (!"ParmVarDecl".equals(p.get("kind"))) continue;
                String pn = p.get("name") instanceof String s ? s : "";
                params.add(new Param(pn, fn.params().get(i++), typeSpelling(p)));
            }
            if (params.size() != fn.params().size()) throw new IllegalStateException("parameters of " + name);
            functions.put(name, new Function(name, fn.ret(), params, typeSpelling(n)));
        }

        /** Why a function type cannot be bound, or null. */
        String unsupported(CType.Fn fn) {
            List<CType> all = new ArrayList<>(fn.params());
            all.add(fn.ret());
            for (CType t : all) {
                if (t instanceof CType.Prim p && p.kind().equals("OPAQUE")) return "long double or __int128 value";
                if (t instanceof CType.Rec r && (r.anonymous() || !layouts.containsKey(spelling(r)))) return "untagged or incomplete struct by value";
                if (t instanceof CType.Rec && t == fn.ret()) return "returns a struct by value";
            }
            return null;
        }

        /** Adds a record class and, transitively, the classes of records it embeds by value. */
        private void addRecordClass(String tag, boolean union) {
            if (recordClasses.containsKey(tag)) return;
            RecordLayouts.Record r = layouts.get((union ? "union " : "struct ") + tag);
            if (r == null) throw new IllegalStateException("no layout dumped for " + tag);
            recordClasses.put(tag, r);
            embedded(r.fields());
        }

        private void embedded(List<RecordLayouts.Field> fields) {
            for (var f : fields) {
                if (f.bitfield()) continue;
                CType t = type(f.type());
                while (t instanceof CType.Arr a) t = a.elem();
                if (t instanceof CType.Rec r && !r.anonymous()) addRecordClass(r.tag(), r.union());
                embedded(f.children());
            }
        }

        static String spelling(CType.Rec r) { return (r.union() ? "union " : "struct ") + r.tag(); }

        CType type(String spelling) {
            CType t = parsed.get(spelling);
            if (t == null) {
                t = CType.parse(spelling, this);
                parsed.put(spelling, t);
            }
            return t;
        }

        /** C sizeof on x86_64; records take clang's dumped size. */
        long sizeOf(CType t) {
            return switch (t) {
                case CType.Prim p -> p.size();
                case CType.Ptr p -> 8;
                case CType.Arr a -> a.length() * sizeOf(a.elem());
                case CType.Enum e -> e.size();
                case CType.Rec r -> {
                    RecordLayouts.Record l = r.anonymous() ? null : layouts.get(spelling(r));
                    if (l == null) throw new IllegalStateException("no layout for " + r);
                    yield l.size();
                }
                case CType.Fn f -> throw new IllegalStateException("sizeof a function");
            };
        }

        @Override
        public String typedef(String name) { return typedefs.get(name); }

        @Override
        public int enumSize(String tag) { return enumSizes.getOrDefault(tag, 4); }

        void readMacros(String dD) {
            Macros m = new Macros(dD, allEnumConstants, this, this::sizeOf);
            for (var e : m.constants(f -> OUR_FILES.matcher(f).matches()).entrySet()) {
                Macros.Val old = constants.get(e.getKey());
                if (old == null) constants.put(e.getKey(), e.getValue());
                else if (old.v() != e.getValue().v()) skipped.put(e.getKey(), "macro differs from the enum constant");
            }
            Macros.Val maj = m.eval("LIBBPF_MAJOR_VERSION"), min = m.eval("LIBBPF_MINOR_VERSION");
            if (maj == null || min == null) throw new IllegalStateException("no LIBBPF_MAJOR/MINOR_VERSION");
            headerVersion = maj.v() + "." + min.v();
        }
    }

    static final Set<String> JAVA_KEYWORDS = new TreeSet<>(List.of("abstract", "assert", "boolean", "break", "byte",
            "case", "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "false", "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "null", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "true",
            "try", "void", "volatile", "while", "_"));
}
