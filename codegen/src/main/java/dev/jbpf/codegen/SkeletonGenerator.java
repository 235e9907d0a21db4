package dev.jbpf.codegen;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.GlobalVariable;
import dev.jbpf.OpenedObject;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;
import dev.jbpf.internal.AtomicFiles;
import dev.jbpf.internal.CloseNames;
import dev.jbpf.map.MapType;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.program.OpenedProgram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the typed skeleton of a compiled BPF object: one Java source with the object's stages
 * (open, configure, load, attach, close), an accessor per program, map and global variable, and
 * a record or enum per BTF type the maps, globals and {@code --type} names reach. What the
 * source looks like, and how C types map to Java, is in this module's SKELETON.md.
 *
 * <p>Reading an object opens it with libbpf (no kernel involved) and closes it before
 * returning; nothing native outlives a call. The output depends only on the object's bytes,
 * the options and jbpf's version: the same input gives byte-identical sources.
 */
public final class SkeletonGenerator {
    /** The runtime types the generated source imports: generated type names must not hide them. */
    private static final Set<String> IMPORTED = Set.of("BpfLink", "BpfMap", "BpfObject", "BpfProgram", "BtfLayout",
            "BtfMember", "List", "LoadedObject", "OpenedMap", "OpenedObject", "OpenedProgram", "Path", "PerfBufferMap",
            "RingBufferMap", "SkeletonTypes", "Skeletons", "TypedMap", "TypedQueue", "Override", "String", "Integer",
            "Long", "Short", "Byte", "Boolean", "Float", "Double", "Object", "Class", "Record", "Enum", "Math",
            "System", "Iterable", "Deprecated", "SuppressWarnings", "FunctionalInterface", "SafeVarargs");
    /** Methods of the generated classes that accessors must not take. */
    private static final Set<String> RESERVED_METHODS = Set.of("open", "load", "close", "object", "attachAll",
            "types", "equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "finalize", "clone");
    private static final Set<MapType> KEYED = EnumSet.of(MapType.HASH, MapType.ARRAY, MapType.PERCPU_HASH,
            MapType.PERCPU_ARRAY, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.LPM_TRIE);
    /** Maps with values but no keys that get a TypedQueue; a bloom filter gets its BpfMap (asBloomFilter()). */
    private static final Set<MapType> VALUES_ONLY = EnumSet.of(MapType.QUEUE, MapType.STACK);
    private static final Pattern JAVA_PACKAGE = Pattern.compile("([a-zA-Z_$][a-zA-Z0-9_$]*)(\\.[a-zA-Z_$][a-zA-Z0-9_$]*)*");

    private SkeletonGenerator() {
    }

    /**
     * What to generate: the package (required), the class name (null: from the file name) and
     * the extra types to generate records for ({@code --type}: C names such as {@code exec_event},
     * {@code struct exec_event}, {@code enum kind} or a typedef name).
     */
    public record Options(String packageName, String className, List<String> types) {
        public Options {
            Objects.requireNonNull(packageName, "packageName");
            types = types == null ? List.of() : List.copyOf(types);
        }
    }

    /** A generated source and where it goes. */
    public record GeneratedSource(String packageName, String className, String objectFileName, String source) {
        /** outDir/the/package/ClassName.java */
        public Path path(Path outDir) {
            return sourcePath(outDir, packageName, className);
        }
    }

    /** root/the/package: where a package's sources (or, in a resource root, the objects next to them) go. */
    public static Path packageDir(Path root, String packageName) {
        Path dir = root;
        for (String part : packageName.split("\\.")) {
            if (!part.isEmpty()) {
                dir = dir.resolve(part);
            }
        }
        return dir;
    }

    /** root/the/package/ClassName.java */
    public static Path sourcePath(Path root, String packageName, String className) {
        return packageDir(root, packageName).resolve(className + ".java");
    }

    /** Default class name: the file name up to its first dot in UpperCamelCase (exec_snoop.bpf.o: ExecSnoop). */
    public static String className(Path object) {
        String file = object.getFileName().toString();
        int dot = file.indexOf('.');
        String name = JavaNames.upperCamel(dot > 0 ? file.substring(0, dot) : file);
        return name.isEmpty() ? "Skeleton" : name;
    }

    /** The skeleton of object; GenerationException (one line) when it cannot be made. */
    public static GeneratedSource generate(Path object, Options options) {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(options, "options");
        if (!options.packageName().isEmpty() && !JAVA_PACKAGE.matcher(options.packageName()).matches()) {
            throw new GenerationException("'" + options.packageName() + "' is not a Java package name");
        }
        String className = options.className() != null ? options.className() : className(object);
        if (!className.matches("[A-Za-z_$][A-Za-z0-9_$]*") || JavaNames.KEYWORDS.contains(className)) {
            throw new GenerationException("'" + className + "' is not a Java class name");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(object);
        } catch (IOException e) {
            throw new GenerationException("cannot read " + object + ": " + e.getMessage(), e);
        }
        try (OpenedObject opened = BpfObject.open(object)) {
            Btf btf;
            try {
                btf = opened.btf();
            } catch (BpfNotFoundException e) {
                throw new GenerationException(object.getFileName() + " has no BTF: compile it with -g");
            }
            String source = new Writer(object.getFileName().toString(), sha256(bytes), options.packageName(),
                    className, opened, btf, options.types()).write();
            return new GeneratedSource(options.packageName(), className, object.getFileName().toString(), source);
        } catch (BpfException e) {
            throw new GenerationException(e.getMessage(), e);
        }
    }

    /**
     * Generates and writes the source to {@link GeneratedSource#path(Path) outDir/package/Class.java},
     * through a temporary file moved into place: a failure never leaves a half-written source.
     *
     * @return the file written
     */
    public static Path write(Path object, Options options, Path outDir) {
        GeneratedSource generated = generate(object, options);
        Path file = generated.path(outDir);
        try {
            AtomicFiles.writeString(file, generated.source());
        } catch (IOException e) {
            throw new GenerationException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    /** jbpf's version, from the jar's manifest ("dev" when run from classes). */
    static String version() {
        String version = SkeletonGenerator.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** One generation: collects names and types, then prints the source. */
    private static final class Writer {
        private final String file;
        private final String sha256;
        private final String packageName;
        private final String className;
        private final OpenedObject object;
        private final Btf btf;
        private final TypeMapper types;
        private final List<MapAccessor> maps = new ArrayList<>();
        private final List<ProgramAccessor> programs = new ArrayList<>();
        private final List<GlobalAccessor> globals = new ArrayList<>();
        private final Set<String> methodNames = new HashSet<>(RESERVED_METHODS);
        private final StringBuilder out = new StringBuilder();

        private record ProgramAccessor(String method, String name, String section) {
        }

        private record MapAccessor(String method, String name, MapType type, TypeMapper.JavaType key,
                TypeMapper.JavaType value, String keyC, String valueC, int maxEntries) {
        }

        private record GlobalAccessor(String method, String qualifiedName, GlobalVariable variable,
                TypeMapper.JavaType type, boolean writableAfterLoad, String note) {
        }

        Writer(String file, String sha256, String packageName, String className, OpenedObject object, Btf btf,
                List<String> extraTypes) {
            this.file = file;
            this.sha256 = sha256;
            this.packageName = packageName;
            this.className = className;
            this.object = object;
            this.btf = btf;
            Set<String> taken = new HashSet<>(IMPORTED);
            taken.add(className);
            taken.add("Opened");
            this.types = new TypeMapper(btf, taken);
            collect(extraTypes);
        }

        private String method(String cName, String kindSuffix) {
            String wanted = JavaNames.lowerCamel(cName);
            String name = methodNames.contains(wanted) ? wanted + kindSuffix : wanted;
            String base = name;
            for (int n = 2; methodNames.contains(name); n++) {
                name = base + n;
            }
            methodNames.add(name);
            return name;
        }

        private void collect(List<String> extraTypes) {
            for (OpenedProgram program : object.programs()) {
                programs.add(new ProgramAccessor(method(program.name(), "Prog"), program.name(), program.section()));
            }
            for (OpenedMap map : object.maps()) {
                if (map.isInternal()) {
                    continue;
                }
                MapType type = map.type();
                TypeMapper.JavaType key = null;
                TypeMapper.JavaType value = null;
                if (KEYED.contains(type)) {
                    key = mapType(map.btfKeyTypeId(), map.keySize());
                }
                if (KEYED.contains(type) || VALUES_ONLY.contains(type)) {
                    value = mapType(map.btfValueTypeId(), map.valueSize());
                }
                maps.add(new MapAccessor(method(map.name(), "Map"), map.name(), type, key, value,
                        map.btfKeyTypeId() > 0 ? btf.typeName(map.btfKeyTypeId()) : map.keySize() + " bytes",
                        map.btfValueTypeId() > 0 ? btf.typeName(map.btfValueTypeId()) : map.valueSize() + " bytes",
                        map.maxEntries()));
            }
            Map<String, Integer> nameCount = new HashMap<>();
            List<GlobalVariable> variables = object.globals().variables().stream()
                    .filter(v -> !v.section().equals(".kconfig") && v.size() > 0)
                    // a pointer means nothing to user space: such globals keep types alive (unused_x idiom)
                    .filter(v -> !(btf.resolve(v.typeId()) instanceof BtfType.Pointer)).toList();
            variables.forEach(v -> nameCount.merge(v.name(), 1, Integer::sum));
            for (GlobalVariable variable : variables) {
                boolean ambiguous = nameCount.get(variable.name()) > 1;
                String qualified = ambiguous ? variable.section() + ":" + variable.name() : variable.name();
                String cName = ambiguous ? variable.section().replace('.', '_') + "_" + variable.name() : variable.name();
                TypeMapper.Mapped mapped = types.mapWithNote(variable.typeId());
                boolean writable = !variable.section().startsWith(".rodata");
                globals.add(new GlobalAccessor(method(cName, "Var"), qualified, variable, mapped.type(), writable,
                        mapped.note()));
            }
            for (String wanted : extraTypes) {
                types.map(findType(wanted));
            }
        }

        /** A map key or value: its BTF type's mapping, or by size when the map declares no type. */
        private TypeMapper.JavaType mapType(int typeId, int size) {
            return typeId > 0 ? types.map(typeId) : TypeMapper.bySize(size);
        }

        /** The type --type names: "struct x", "union x", "enum x", or a bare struct/union/enum/typedef name. */
        private int findType(String wanted) {
            String name = wanted.strip();
            List<Class<? extends BtfType>> kinds;
            if (name.startsWith("struct ") || name.startsWith("union ")) {
                name = name.substring(name.indexOf(' ') + 1).strip();
                kinds = List.of(BtfType.Struct.class);
            } else if (name.startsWith("enum ")) {
                name = name.substring(5).strip();
                kinds = List.of(BtfType.Enum.class);
            } else {
                kinds = List.of(BtfType.Struct.class, BtfType.Enum.class, BtfType.Typedef.class);
            }
            for (Class<? extends BtfType> kind : kinds) {
                var found = btf.find(kind, name);
                if (found.isPresent()) {
                    return found.get().id();
                }
            }
            Set<String> names = new LinkedHashSet<>();
            btf.types().filter(t -> t instanceof BtfType.Struct || t instanceof BtfType.Enum
                    || t instanceof BtfType.Typedef).map(BtfType::name).filter(n -> !n.isEmpty()).forEach(names::add);
            List<String> close = CloseNames.closest(name, names, 3);
            throw new GenerationException("--type " + wanted + ": no such struct, union, enum or typedef in " + file
                    + (close.isEmpty() ? "" : " (closest: " + String.join(", ", close) + ")")
                    + "; clang keeps a type only when something global uses it: add a global such as"
                    + " 'const struct " + name + " *unused_" + name + " __attribute__((unused));'");
        }

        // ---- printing ------------------------------------------------------------------------

        private Writer line(String text) {
            out.append(text).append('\n');
            return this;
        }

        String write() {
            line("// Generated by jbpf " + version() + " from " + file + ". Do not edit: regenerate.");
            line("// SHA-256 of " + file + ": " + sha256);
            if (!packageName.isEmpty()) {
                line("package " + packageName + ";");
            }
            line("");
            for (String imported : List.of("dev.jbpf.BpfObject", "dev.jbpf.LoadedObject", "dev.jbpf.OpenedObject",
                    "dev.jbpf.btf.BtfLayout", "dev.jbpf.btf.BtfMember", "dev.jbpf.link.BpfLink", "dev.jbpf.map.BpfMap",
                    "dev.jbpf.map.OpenedMap", "dev.jbpf.map.TypedMap", "dev.jbpf.map.TypedQueue",
                    "dev.jbpf.perf.PerfBufferMap", "dev.jbpf.program.BpfProgram", "dev.jbpf.program.OpenedProgram",
                    "dev.jbpf.ringbuf.RingBufferMap", "dev.jbpf.skeleton.SkeletonTypes", "dev.jbpf.skeleton.Skeletons",
                    "java.nio.file.Path", "java.util.List")) {
                line("import " + imported + ";");
            }
            line("");
            classDoc();
            line("@SuppressWarnings(\"unused\")");
            line("public final class " + className + " implements AutoCloseable {");
            line("    /** The object this class was generated from: a classpath resource next to this class. */");
            line("    public static final String OBJECT_FILE = \"" + JavaNames.literal(file) + "\";");
            line("    /** The SHA-256 of that object when this class was generated. */");
            line("    public static final String OBJECT_SHA256 = \"" + sha256 + "\";");
            line("");
            layouts();
            statics();
            opened();
            loaded();
            for (TypeMapper.Generated generated : types.generated()) {
                type(generated);
            }
            line("}");
            return out.toString();
        }

        private void classDoc() {
            line("/**");
            line(" * Typed access to {@code " + JavaNames.doc(file) + "}: open it ({@link #open()}), configure it");
            line(" * ({@link Opened}), {@link Opened#load() load} it, attach its programs, read its maps and globals.");
            line(" * <ul>");
            line(" * <li>programs: " + listOrNone(programs.stream().map(ProgramAccessor::name).toList()) + "</li>");
            line(" * <li>maps: " + listOrNone(maps.stream().map(MapAccessor::name).toList()) + "</li>");
            line(" * <li>global variables: " + listOrNone(globals.stream().map(GlobalAccessor::qualifiedName).toList())
                    + "</li>");
            line(" * </ul>");
            line(" * Native memory: an instance owns the loaded object (its programs, maps and links) until");
            line(" * {@link #close()}; the records and enums below are plain Java values.");
            line(" */");
        }

        private static String listOrNone(List<String> names) {
            return names.isEmpty() ? "none" : JavaNames.doc(String.join(", ", names));
        }

        private void layouts() {
            line("    /** The BTF layout this class was generated from; checked when the object is opened. */");
            List<TypeMapper.Generated> named = types.generated().stream().filter(TypeMapper.Generated::hasLayout).toList();
            if (named.isEmpty()) {
                line("    private static final List<BtfLayout> LAYOUTS = List.of();");
                line("");
                return;
            }
            line("    private static final List<BtfLayout> LAYOUTS = List.of(");
            for (int i = 0; i < named.size(); i++) {
                TypeMapper.Generated g = named.get(i);
                String end = i == named.size() - 1 ? ");" : ",";
                String cName = "\"" + JavaNames.literal(g.cName) + "\"";
                if (g.isEnum()) {
                    String factory = g.kind == TypeMapper.Kind.TYPEDEF ? "typedef" : "enumeration";
                    line("            BtfLayout." + factory + "(" + cName + ", " + g.size + ", " + g.javaName + ".class)" + end);
                    continue;
                }
                String factory = switch (g.kind) {
                    case STRUCT -> "struct";
                    case UNION -> "union";
                    default -> "typedef";
                };
                StringBuilder call = new StringBuilder("            BtfLayout." + factory + "(" + cName + ", " + g.size
                        + ", " + g.javaName + ".class");
                for (TypeMapper.LayoutMember m : g.layout) {
                    call.append(",\n                    ");
                    if (m.bitfieldSize() != 0) {
                        call.append("BtfLayout.bitfield(\"").append(JavaNames.literal(m.path())).append("\", ")
                                .append(m.bitOffset()).append(", ").append(m.bitfieldSize()).append(")");
                    } else {
                        call.append("BtfLayout.member(\"").append(JavaNames.literal(m.path())).append("\", ")
                                .append(m.bitOffset()).append(")");
                    }
                }
                line(call + ")" + end);
            }
            line("");
        }

        private void statics() {
            line("    /** Opens the object from the classpath resource {@link #OBJECT_FILE} next to this class. */");
            line("    public static Opened open() {");
            line("        return new Opened(Skeletons.openResource(" + className + ".class, OBJECT_FILE));");
            line("    }");
            line("");
            line("    /** Opens the object from a file (e.g. another build of the same source; its layout is checked). */");
            line("    public static Opened open(Path path) {");
            line("        return new Opened(BpfObject.open(path));");
            line("    }");
            line("");
            line("    /** {@code open().load()}: the object as it was compiled, loaded. */");
            line("    public static " + className + " load() {");
            line("        return open().load();");
            line("    }");
            line("");
        }

        private void opened() {
            line("    /**");
            line("     * The opened stage: set global variables and map sizes, then {@link #load()}. Owns the");
            line("     * opened object until load() hands it to the loaded stage (this is then closed) or close().");
            line("     */");
            line("    public static final class Opened implements AutoCloseable {");
            line("        private final OpenedObject object;");
            line("        private final SkeletonTypes types;");
            line("");
            line("        private Opened(OpenedObject object) {");
            line("            this.object = object;");
            line("            this.types = SkeletonTypes.bind(object, " + className + ".class, LAYOUTS);");
            line("        }");
            line("");
            line("        /** The opened object itself. */");
            line("        public OpenedObject object() {");
            line("            return object;");
            line("        }");
            for (ProgramAccessor p : programs) {
                line("");
                line("        /** Program {@code " + JavaNames.doc(p.name()) + "} (section {@code " + JavaNames.doc(p.section()) + "}). */");
                line("        public OpenedProgram " + p.method() + "() {");
                line("            return object.program(\"" + JavaNames.literal(p.name()) + "\");");
                line("        }");
            }
            for (MapAccessor m : maps) {
                line("");
                line("        /** Map {@code " + JavaNames.doc(m.name()) + "} before load (e.g. to set its size). */");
                line("        public OpenedMap " + m.method() + "() {");
                line("            return object.map(\"" + JavaNames.literal(m.name()) + "\");");
                line("        }");
            }
            for (GlobalAccessor g : globals) {
                line("");
                globalDoc("        ", g, "its value before load");
                getter("        ", g);
                line("");
                line("        /** Sets {@code " + JavaNames.doc(g.variable().name()) + "} before load. */");
                line("        public Opened " + g.method() + "(" + g.type().decl() + " value) {");
                line("            object.globals().set(\"" + JavaNames.literal(g.qualifiedName()) + "\", value);");
                line("            return this;");
                line("        }");
            }
            line("");
            line("        /** Loads the object into the kernel; this opened stage is closed afterwards, whatever happens. */");
            line("        public " + className + " load() {");
            line("            return new " + className + "(object.load(), types);");
            line("        }");
            line("");
            line("        /** Frees the object unless it was loaded. */");
            line("        @Override");
            line("        public void close() {");
            line("            object.close();");
            line("        }");
            line("    }");
            line("");
        }

        private void globalDoc(String indent, GlobalAccessor g, String what) {
            String note = g.note() != null ? " " + JavaNames.doc(g.note()) + "." : "";
            line(indent + "/** {@code " + JavaNames.doc(g.variable().type() + " " + g.variable().name()) + "} ("
                    + JavaNames.doc(g.variable().section()) + "): " + what + "." + note + " */");
        }

        private void getter(String indent, GlobalAccessor g) {
            line(indent + "public " + g.type().decl() + " " + g.method() + "() {");
            line(indent + "    return object.globals().get(\"" + JavaNames.literal(g.qualifiedName()) + "\", "
                    + g.type().literal() + ");");
            line(indent + "}");
        }

        private void loaded() {
            line("    private final LoadedObject object;");
            line("    private final SkeletonTypes types;");
            for (MapAccessor m : maps) {
                if (m.key() != null) {
                    line("    private final TypedMap<" + m.key().boxed() + ", " + m.value().boxed() + "> " + m.method() + ";");
                } else if (m.value() != null) {
                    line("    private final TypedQueue<" + m.value().boxed() + "> " + m.method() + ";");
                }
            }
            line("");
            line("    private " + className + "(LoadedObject object, SkeletonTypes types) {");
            line("        this.object = object;");
            line("        this.types = types;");
            for (MapAccessor m : maps) {
                if (m.key() != null) {
                    line("        this." + m.method() + " = types.map(object, \"" + JavaNames.literal(m.name()) + "\", "
                            + m.key().literal() + ", " + m.value().literal() + ");");
                } else if (m.value() != null) {
                    line("        this." + m.method() + " = types.queue(object, \"" + JavaNames.literal(m.name()) + "\", "
                            + m.value().literal() + ");");
                }
            }
            line("    }");
            line("");
            line("    /** The loaded object itself. */");
            line("    public LoadedObject object() {");
            line("        return object;");
            line("    }");
            for (ProgramAccessor p : programs) {
                line("");
                line("    /** Program {@code " + JavaNames.doc(p.name()) + "} (section {@code " + JavaNames.doc(p.section())
                        + "}): attach it with {@code attach()}. */");
                line("    public BpfProgram " + p.method() + "() {");
                line("        return object.program(\"" + JavaNames.literal(p.name()) + "\");");
                line("    }");
            }
            for (MapAccessor m : maps) {
                line("");
                String shape = "{@code " + JavaNames.doc(m.name()) + "}: " + m.type().displayName()
                        + (m.key() != null ? ", key {@code " + JavaNames.doc(m.keyC()) + "}" : "")
                        + (m.value() != null ? ", value {@code " + JavaNames.doc(m.valueC()) + "}" : "")
                        + ", " + m.maxEntries() + " max entries.";
                if (m.key() != null) {
                    line("    /** " + shape + " */");
                    line("    public TypedMap<" + m.key().boxed() + ", " + m.value().boxed() + "> " + m.method() + "() {");
                    line("        return " + m.method() + ";");
                    line("    }");
                } else if (m.value() != null) {
                    line("    /** " + shape + " */");
                    line("    public TypedQueue<" + m.value().boxed() + "> " + m.method() + "() {");
                    line("        return " + m.method() + ";");
                    line("    }");
                } else if (m.type() == MapType.RINGBUF || m.type() == MapType.PERF_EVENT_ARRAY) {
                    boolean ring = m.type() == MapType.RINGBUF;
                    String handle = ring ? "RingBufferMap" : "PerfBufferMap";
                    String factory = ring ? "ringBuffer" : "perfBuffer";
                    line("    /** " + shape + " Records as raw bytes; {@link #" + m.method() + "(Class)} decodes them. */");
                    line("    public " + handle + "<byte[]> " + m.method() + "() {");
                    line("        return types." + factory + "(object, \"" + JavaNames.literal(m.name()) + "\", byte[].class);");
                    line("    }");
                    line("");
                    line("    /** {@code " + JavaNames.doc(m.name()) + "}, each record decoded as one of this class's record types. */");
                    line("    public <R> " + handle + "<R> " + m.method() + "(Class<R> recordType) {");
                    line("        return types." + factory + "(object, \"" + JavaNames.literal(m.name()) + "\", recordType);");
                    line("    }");
                } else {
                    line("    /** " + shape + " */");
                    line("    public BpfMap " + m.method() + "() {");
                    line("        return object.map(\"" + JavaNames.literal(m.name()) + "\");");
                    line("    }");
                }
            }
            for (GlobalAccessor g : globals) {
                line("");
                if (g.writableAfterLoad()) {
                    globalDoc("    ", g, "live, what the programs see and write");
                    getter("    ", g);
                    line("");
                    line("    /** Sets {@code " + JavaNames.doc(g.variable().name()) + "}: the programs see it at once. */");
                    line("    public " + className + " " + g.method() + "(" + g.type().decl() + " value) {");
                    line("        object.globals().set(\"" + JavaNames.literal(g.qualifiedName()) + "\", value);");
                    line("        return this;");
                    line("    }");
                } else {
                    globalDoc("    ", g, "read-only after load");
                    getter("    ", g);
                }
            }
            line("");
            line("    /** Attaches every program where its section says; the links are closed with this object. */");
            line("    public List<BpfLink> attachAll() {");
            line("        return object.attachAll();");
            line("    }");
            line("");
            line("    /** Detaches the links made through it and unloads the object (what no pin or link keeps). */");
            line("    @Override");
            line("    public void close() {");
            line("        object.close();");
            line("    }");
        }

        private void type(TypeMapper.Generated g) {
            line("");
            line("    /**");
            line("     * {@code " + JavaNames.doc(g.cDescription) + "} (" + g.size + (g.size == 1 ? " byte)." : " bytes)."));
            for (String note : g.notes) {
                line("     * " + JavaNames.doc(note));
            }
            if (!g.isEnum()) {
                for (TypeMapper.Component c : g.components) {
                    line("     * @param " + c.javaName() + " {@code " + JavaNames.doc(c.cType() + " " + c.cName()) + "}"
                            + (c.note() != null ? ": " + JavaNames.doc(c.note()) : ""));
                }
            }
            line("     */");
            if (g.type instanceof BtfType.Enum e) {
                enumeration(g, e);
                return;
            }
            if (g.components.isEmpty()) {
                line("    public record " + g.javaName + "() {");
                line("    }");
                return;
            }
            line("    public record " + g.javaName + "(");
            for (int i = 0; i < g.components.size(); i++) {
                TypeMapper.Component c = g.components.get(i);
                String rename = c.javaName().equals(c.cName()) ? "" : "@BtfMember(\"" + JavaNames.literal(c.cName()) + "\") ";
                line("            " + rename + c.type().decl() + " " + c.javaName() + (i == g.components.size() - 1 ? ") {" : ","));
            }
            line("    }");
        }

        private void enumeration(TypeMapper.Generated g, BtfType.Enum e) {
            line("    public enum " + g.javaName + " {");
            Set<String> seen = new HashSet<>();
            List<BtfType.EnumConstant> constants = e.constants().stream().filter(c -> seen.add(c.name())).toList();
            for (int i = 0; i < constants.size(); i++) {
                BtfType.EnumConstant c = constants.get(i);
                line("        " + c.name() + "(" + c.value() + "L)" + (i == constants.size() - 1 ? ";" : ","));
            }
            // the field must not share a name with a constant (a C enum may have one called value)
            String field = "value";
            while (seen.contains(field)) {
                field += "_";
            }
            line("");
            line("        private final long " + field + ";");
            line("");
            line("        " + g.javaName + "(long value) {");
            line("            this." + field + " = value;");
            line("        }");
            line("");
            line("        /** The constant's value in C. */");
            line("        public long value() {");
            line("            return " + field + ";");
            line("        }");
            line("    }");
        }
    }
}
