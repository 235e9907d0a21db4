package dev.jbpf.generator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Object-like macros from {@code clang -dD -E} (like {@code -dM}, but the line markers tell
 * which header defined each macro) and an evaluator for the integer constant expressions
 * they hold: literals with suffixes, character literals, casts to integer types, unary and
 * binary operators, {@code ?:}, {@code sizeof(type)}, references to other macros and enum
 * constants, and function-like macros (expanded in place, e.g. the ioctl numbers built with
 * {@code _IOW}; {@code #} and {@code ##} are not supported). Values follow C's types
 * closely enough (32 vs 64 bits, signedness) for shifts, division and comparison to agree.
 */
final class Macros {

    /** An integer constant: {@code v} is the value, already truncated to the width of its C type. */
    record Val(long v, boolean wide, boolean unsigned) {
        static Val of(long v, boolean wide, boolean unsigned) {
            if (!wide) v = unsigned ? v & 0xFFFF_FFFFL : (int) v;
            return new Val(v, wide, unsigned);
        }
    }

    /** {@code params} is null for an object-like macro. */
    record Macro(String name, List<String> params, String body, String file) {}

    final Map<String, Macro> all = new LinkedHashMap<>();
    private final Map<String, Val> enums;
    private final CType.Scope scope;
    private final java.util.function.ToLongFunction<CType> sizeOf;
    private final Set<String> expanding = new HashSet<>();

    Macros(String dD, Map<String, Val> enums, CType.Scope scope, java.util.function.ToLongFunction<CType> sizeOf) {
        this.enums = enums;
        this.scope = scope;
        this.sizeOf = sizeOf;
        String file = "";
        for (String line : dD.split("\n")) {
            if (line.startsWith("# ") && line.indexOf('"') > 0) {
                file = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
            } else if (line.startsWith("#define ")) {
                String rest = line.substring(8);
                int k = 0;
                while (k < rest.length() && Character.isJavaIdentifierPart(rest.charAt(k))) k++;
                String name = rest.substring(0, k);
                if (k < rest.length() && rest.charAt(k) == '(') {
                    int close = rest.indexOf(')', k);
                    List<String> params = new ArrayList<>();
                    for (String p : rest.substring(k + 1, close).split(",")) if (!p.isBlank()) params.add(p.strip());
                    all.put(name, new Macro(name, params, rest.substring(close + 1).strip(), file));
                } else {
                    all.put(name, new Macro(name, null, rest.substring(k).strip(), file));
                }
            } else if (line.startsWith("#undef ")) {
                all.remove(line.substring(7).strip());
            }
        }
    }

    /** Integer values of the macros defined in headers accepted by {@code fromFile}; others are skipped. */
    Map<String, Val> constants(Predicate<String> fromFile) {
        Map<String, Val> out = new LinkedHashMap<>();
        for (Macro m : all.values()) {
            if (!fromFile.test(m.file()) || m.body().isEmpty() || m.params() != null) continue;
            Val v = eval(m.name());
            if (v != null) out.put(m.name(), v);
        }
        return out;
    }

    /** The value of macro {@code name}, or null when it is not an integer constant expression. */
    Val eval(String name) {
        Macro m = all.get(name);
        if (m == null || m.params() != null || !expanding.add(name)) return null;
        try {
            Expr e = new Expr(new ArrayList<>(tokens(m.body())));
            Val v = e.ternary();
            return e.pos == e.toks.size() ? v : null;
        } catch (RuntimeException notConstant) {
            return null;
        } finally {
            expanding.remove(name);
        }
    }

    private static List<String> tokens(String s) {
        List<String> t = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            int st = i;
            if (Character.isJavaIdentifierPart(c)) {
                while (i < s.length() && (Character.isJavaIdentifierPart(s.charAt(i)) || s.charAt(i) == '.')) i++;
            } else if (c == '\'') {
                i = s.indexOf('\'', i + (s.charAt(i + 1) == '\\' ? 3 : 2)) + 1;
            } else if (c == '"' || c == '#') {
                throw new IllegalArgumentException("string literal or # operator");
            } else if (i + 1 < s.length() && List.of("<<", ">>", "<=", ">=", "==", "!=", "&&", "||").contains(s.substring(i, i + 2))) {
                i += 2;
            } else {
                i++;
            }
            t.add(s.substring(st, i));
        }
        return t;
    }

    private final class Expr {
        final List<String> toks;
        int pos;
        int expansions;

        Expr(List<String> toks) { this.toks = toks; }

        String peek() { return pos < toks.size() ? toks.get(pos) : ""; }

        Val ternary() {
            Val c = binary(1);
            if (!peek().equals("?")) return c;
            pos++;
            Val a = ternary();
            if (!toks.get(pos++).equals(":")) throw new IllegalArgumentException(":");
            Val b = ternary();
            return c.v() != 0 ? a : b;
        }

        private int prec(String op) {
            return switch (op) {
                case "||" -> 1; case "&&" -> 2; case "|" -> 3; case "^" -> 4; case "&" -> 5;
                case "==", "!=" -> 6; case "<", ">", "<=", ">=" -> 7; case "<<", ">>" -> 8;
                case "+", "-" -> 9; case "*", "/", "%" -> 10;
                default -> -1;
            };
        }

        Val binary(int min) {
            Val l = unary();
            while (prec(peek()) >= min) {
                String op = toks.get(pos++);
                Val r = binary(prec(op) + 1);
                l = apply(op, l, r);
            }
            return l;
        }

        Val apply(String op, Val a, Val b) {
            if (op.equals("<<") || op.equals(">>")) {
                int n = (int) b.v() & 63;
                long v = op.equals("<<") ? a.v() << n : a.unsigned() ? a.v() >>> n : a.v() >> n;
                return Val.of(v, a.wide(), a.unsigned());
            }
            // Usual arithmetic conversions, for int/unsigned int/long/unsigned long only.
            boolean wide = a.wide() || b.wide();
            boolean uns = a.wide() == b.wide() ? a.unsigned() || b.unsigned() : a.wide() ? a.unsigned() : b.unsigned();
            long x = a.v(), y = b.v();
            return switch (op) {
                case "+" -> Val.of(x + y, wide, uns);
                case "-" -> Val.of(x - y, wide, uns);
                case "*" -> Val.of(x * y, wide, uns);
                case "/" -> Val.of(uns ? Long.divideUnsigned(x, y) : x / y, wide, uns);
                case "%" -> Val.of(uns ? Long.remainderUnsigned(x, y) : x % y, wide, uns);
                case "|" -> Val.of(x | y, wide, uns);
                case "&" -> Val.of(x & y, wide, uns);
                case "^" -> Val.of(x ^ y, wide, uns);
                case "==" -> bool(x == y);
                case "!=" -> bool(x != y);
                case "<" -> bool(uns ? Long.compareUnsigned(x, y) < 0 : x < y);
                case ">" -> bool(uns ? Long.compareUnsigned(x, y) > 0 : x > y);
                case "<=" -> bool(uns ? Long.compareUnsigned(x, y) <= 0 : x <= y);
                case ">=" -> bool(uns ? Long.compareUnsigned(x, y) >= 0 : x >= y);
                case "&&" -> bool(x != 0 && y != 0);
                case "||" -> bool(x != 0 || y != 0);
                default -> throw new IllegalArgumentException(op);
            };
        }

        Val bool(boolean b) { return Val.of(b ? 1 : 0, false, false); }

        Val unary() {
            String t = toks.get(pos++);
            switch (t) {
                case "-": { Val v = unary(); return Val.of(-v.v(), v.wide(), v.unsigned()); }
                case "+": return unary();
                case "~": { Val v = unary(); return Val.of(~v.v(), v.wide(), v.unsigned()); }
                case "!": return bool(unary().v() == 0);
                case "(": {
                    if (isTypeStart(peek())) {
                        StringBuilder type = new StringBuilder();
                        while (!peek().equals(")")) type.append(toks.get(pos++)).append(' ');
                        pos++;
                        return cast(CType.parse(type.toString(), scope), unary());
                    }
                    Val v = ternary();
                    if (!toks.get(pos++).equals(")")) throw new IllegalArgumentException(")");
                    return v;
                }
                case "sizeof": {
                    if (!toks.get(pos++).equals("(") || !isTypeStart(peek())) throw new IllegalArgumentException("sizeof");
                    StringBuilder type = new StringBuilder();
                    while (!peek().equals(")")) type.append(toks.get(pos++)).append(' ');
                    pos++;
                    return Val.of(sizeOf.applyAsLong(CType.parse(type.toString(), scope)), true, true); // size_t
                }
                default:
                    if (Character.isDigit(t.charAt(0))) return literal(t);
                    if (t.startsWith("'")) return character(t);
                    Macro fn = all.get(t);
                    if (fn != null && fn.params() != null && peek().equals("(")) {
                        expand(fn);
                        return unary();
                    }
                    if (expanding.contains(t) || !all.containsKey(t)) {
                        Val e = enums.get(t);
                        if (e == null) throw new IllegalArgumentException("unknown " + t);
                        return e;
                    }
                    Val v = eval(t);
                    if (v == null) throw new IllegalArgumentException("not constant " + t);
                    return v;
            }
        }

        /** Replaces the call of {@code fn} at {@code pos - 1} by its body with the arguments substituted. */
        void expand(Macro fn) {
            if (++expansions > 1000) throw new IllegalArgumentException("recursive macro " + fn.name());
            int start = pos - 1;
            pos++; // "("
            List<List<String>> args = new ArrayList<>();
            List<String> arg = new ArrayList<>();
            int depth = 0;
            while (true) {
                String a = toks.get(pos++);
                if (depth == 0 && (a.equals(",") || a.equals(")"))) {
                    args.add(arg);
                    arg = new ArrayList<>();
                    if (a.equals(")")) break;
                    continue;
                }
                if (a.equals("(")) depth++;
                if (a.equals(")")) depth--;
                arg.add(a);
            }
            if (fn.params().isEmpty() && args.size() == 1 && args.get(0).isEmpty()) args.clear();
            if (args.size() != fn.params().size()) throw new IllegalArgumentException("arguments of " + fn.name());
            List<String> body = new ArrayList<>();
            for (String b : tokens(fn.body())) {
                int k = fn.params().indexOf(b);
                if (k >= 0) body.addAll(args.get(k)); else body.add(b);
            }
            toks.subList(start, pos).clear();
            toks.addAll(start, body);
            pos = start;
        }

        Val character(String t) {
            String c = t.substring(1, t.length() - 1);
            if (c.length() == 1) return Val.of(c.charAt(0), false, false);
            return switch (c) {
                case "\\n" -> Val.of('\n', false, false);
                case "\\0" -> Val.of(0, false, false);
                case "\\\\" -> Val.of('\\', false, false);
                case "\\'" -> Val.of('\'', false, false);
                default -> throw new IllegalArgumentException("char literal " + t);
            };
        }

        boolean isTypeStart(String w) {
            return switch (w) {
                case "unsigned", "signed", "int", "long", "short", "char", "_Bool", "const", "struct", "union", "enum", "void" -> true;
                default -> !all.containsKey(w) && scope.typedef(w) != null;
            };
        }

        Val cast(CType t, Val v) {
            if (t instanceof CType.Enum en) t = new CType.Prim("INT", en.size(), true);
            if (!(t instanceof CType.Prim p) || !(p.kind().equals("INT") || p.kind().equals("BOOL"))) {
                throw new IllegalArgumentException("not an integer cast");
            }
            if (p.kind().equals("BOOL")) return bool(v.v() != 0);
            long x = v.v();
            if (p.size() < 4) { // narrow then promote to int
                int bits = p.size() * 8;
                x = p.signed() ? (x << (64 - bits)) >> (64 - bits) : x & ((1L << bits) - 1);
                return Val.of(x, false, false);
            }
            return Val.of(x, p.size() == 8, !p.signed());
        }

        Val literal(String t) {
            String s = t.toLowerCase();
            boolean u = false;
            int longs = 0;
            while (s.endsWith("u") || s.endsWith("l")) {
                if (s.endsWith("u")) u = true; else longs++;
                s = s.substring(0, s.length() - 1);
            }
            int radix = 10;
            if (s.startsWith("0x")) { radix = 16; s = s.substring(2); }
            else if (s.startsWith("0b")) { radix = 2; s = s.substring(2); }
            else if (s.length() > 1 && s.startsWith("0")) { radix = 8; s = s.substring(1); }
            long v = Long.parseUnsignedLong(s, radix);
            boolean fitsInt = Long.compareUnsigned(v, Integer.MAX_VALUE) <= 0;
            boolean fitsUint = Long.compareUnsigned(v, 0xFFFF_FFFFL) <= 0;
            boolean fitsLong = v >= 0;
            // C11 6.4.4.1: the first type of the list that can represent the value
            if (longs == 0 && !u && fitsInt) return Val.of(v, false, false);
            if (longs == 0 && (u || radix != 10) && fitsUint) return Val.of(v, false, true);
            if (!u && fitsLong) return Val.of(v, true, false);
            return Val.of(v, true, true);
        }
    }
}
