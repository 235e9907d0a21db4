package dev.jbpf.generator;

import java.util.ArrayList;
import java.util.List;

/**
 * C types as far as the bindings need them, after typedefs are resolved. Parsed from the
 * type spellings clang prints in the AST and the record layout dump.
 */
sealed interface CType {

    /** Builtin arithmetic types and void. {@code kind}: INT, FLOAT, BOOL, VOID or OPAQUE (long double, __int128). */
    record Prim(String kind, int size, boolean signed) implements CType {}

    record Ptr(CType to) implements CType {}

    /** {@code length} is 0 for a flexible array member ({@code []}). */
    record Arr(CType elem, long length) implements CType {}

    /** {@code tag} is the C tag, or clang's "(anonymous at file:line:col)" spelling for untagged records. */
    record Rec(boolean union, String tag) implements CType {
        boolean anonymous() { return tag.contains("("); }
    }

    record Enum(String tag, int size) implements CType {}

    record Fn(CType ret, List<CType> params, boolean variadic) implements CType {}

    Prim VOID = new Prim("VOID", 0, false);

    /** Resolves typedef names and enum sizes while parsing. */
    interface Scope {
        /** The spelling of the type a typedef names, or null if {@code name} is no typedef. */
        String typedef(String name);

        int enumSize(String tag);
    }

    /** Parses a clang type spelling such as {@code const struct bpf_map *(*)(int, char[16])}. */
    static CType parse(String spelling, Scope scope) {
        Parser p = new Parser(spelling, scope);
        CType t = p.typeName();
        if (p.pos < p.toks.size()) throw new IllegalArgumentException("cannot parse C type '" + spelling + "'");
        return t;
    }

    /** Array and function parameters decay to pointers. */
    static CType decay(CType t) {
        if (t instanceof Arr a) return new Ptr(a.elem());
        if (t instanceof Fn) return new Ptr(t);
        return t;
    }

    final class Parser {
        private final List<String> toks = new ArrayList<>();
        private final Scope scope;
        private int pos;

        Parser(String s, Scope scope) {
            this.scope = scope;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) { i++; continue; }
                if (Character.isJavaIdentifierStart(c)) {
                    int st = i;
                    while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) i++;
                    String w = s.substring(st, i);
                    toks.add(w);
                    if (w.equals("struct") || w.equals("union") || w.equals("enum")) {
                        // The tag may be "outer::(anonymous at /path.h:1:2)": take it verbatim.
                        while (i < s.length() && s.charAt(i) == ' ') i++;
                        st = i;
                        int depth = 0;
                        while (i < s.length()) {
                            char d = s.charAt(i);
                            if (d == '(') depth++;
                            else if (d == ')') { if (depth == 0) break; depth--; }
                            else if (depth == 0 && !(Character.isJavaIdentifierPart(d) || d == ':')) break;
                            i++;
                        }
                        toks.add(s.substring(st, i));
                    }
                } else if (Character.isDigit(c)) {
                    int st = i;
                    while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) i++;
                    toks.add(s.substring(st, i));
                } else if (s.startsWith("...", i)) {
                    toks.add("...");
                    i += 3;
                } else {
                    toks.add(String.valueOf(c));
                    i++;
                }
            }
        }

        private String peek() { return pos < toks.size() ? toks.get(pos) : ""; }

        private String next() { return toks.get(pos++); }

        private void expect(String t) {
            if (!next().equals(t)) throw new IllegalArgumentException("'" + t + "' expected in C type " + toks);
        }

        private static boolean qualifier(String w) {
            return switch (w) {
                case "const", "volatile", "restrict", "__restrict", "_Atomic", "_Nonnull", "_Nullable" -> true;
                default -> false;
            };
        }

        CType typeName() {
            CType base = specifiers();
            return declarator().apply(base);
        }

        private CType specifiers() {
            int signedness = 0, longs = 0;
            String core = null;
            CType named = null;
            while (pos < toks.size()) {
                String w = peek();
                if (qualifier(w)) { pos++; continue; }
                switch (w) {
                    case "signed" -> { signedness = 1; pos++; }
                    case "unsigned" -> { signedness = -1; pos++; }
                    case "long" -> { longs++; pos++; }
                    case "short", "int", "char", "_Bool", "bool", "float", "double", "void", "__int128" -> {
                        if (!"int".equals(w) || core == null) core = w;
                        pos++;
                    }
                    case "struct", "union" -> { pos++; named = new Rec(w.equals("union"), next()); }
                    case "enum" -> { pos++; String tag = next(); named = new Enum(tag, scope.enumSize(tag)); }
                    default -> {
                        if (named != null || core != null || longs > 0 || signedness != 0
                                || !Character.isJavaIdentifierStart(w.charAt(0))) {
                            return finish(named, core, signedness, longs);
                        }
                        String def = scope.typedef(w);
                        if (def == null) throw new IllegalArgumentException("unknown type name '" + w + "' in " + toks);
                        pos++;
                        named = parse(def, scope);
                    }
                }
            }
            return finish(named, core, signedness, longs);
        }

        private static CType finish(CType named, String core, int signedness, int longs) {
            if (named != null) return named;
            boolean signed = signedness >= 0;
            if (core == null) core = "int";
            return switch (core) {
                case "void" -> VOID;
                case "_Bool", "bool" -> new Prim("BOOL", 1, false);
                case "char" -> new Prim("INT", 1, signedness >= 0);
                case "short" -> new Prim("INT", 2, signed);
                case "float" -> new Prim("FLOAT", 4, true);
                case "double" -> longs > 0 ? new Prim("OPAQUE", 16, true) : new Prim("FLOAT", 8, true);
                case "__int128" -> new Prim("OPAQUE", 16, signed);
                default -> new Prim("INT", longs > 0 ? 8 : 4, signed);
            };
        }

        /** An abstract declarator, as a function from the base type to the declared type. */
        private java.util.function.UnaryOperator<CType> declarator() {
            if (peek().equals("*")) {
                pos++;
                while (qualifier(peek())) pos++;
                var inner = declarator();
                return base -> inner.apply(new Ptr(base));
            }
            java.util.function.UnaryOperator<CType> inner = t -> t;
            if (peek().equals("(") && pos + 1 < toks.size()
                    && (toks.get(pos + 1).equals("*") || toks.get(pos + 1).equals("("))) {
                pos++;
                inner = declarator();
                expect(")");
            }
            List<java.util.function.UnaryOperator<CType>> suffixes = new ArrayList<>();
            while (peek().equals("[") || peek().equals("(")) {
                if (next().equals("[")) {
                    long n = 0;
                    if (!peek().equals("]")) n = Long.decode(next().replaceAll("[uUlL]+$", ""));
                    expect("]");
                    long len = n;
                    suffixes.add(t -> new Arr(t, len));
                } else {
                    List<CType> params = new ArrayList<>();
                    boolean variadic = false;
                    while (!peek().equals(")")) {
                        if (peek().equals("...")) { pos++; variadic = true; }
                        else params.add(decay(typeName()));
                        if (peek().equals(",")) pos++;
                    }
                    expect(")");
                    if (params.size() == 1 && params.get(0) == VOID) params.clear();
                    boolean v = variadic;
                    suffixes.add(t -> new Fn(t, List.copyOf(params), v));
                }
            }
            var in = inner;
            return base -> {
                CType t = base;
                for (int k = suffixes.size() - 1; k >= 0; k--) t = suffixes.get(k).apply(t);
                return in.apply(t);
            };
        }
    }
}
