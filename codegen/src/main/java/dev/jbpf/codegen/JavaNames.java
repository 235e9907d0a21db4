package dev.jbpf.codegen;

import java.util.Set;

/** C names to Java names: UpperCamelCase types, lowerCamelCase members, keywords avoided. */
final class JavaNames {
    private JavaNames() {
    }

    /** Java's keywords and literals, and "_", which no identifier may be. */
    static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch",
            "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final",
            "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long",
            "native", "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile",
            "while", "true", "false", "null", "_", "var", "yield", "record", "sealed", "permits", "non-sealed");

    /** exec_event -> ExecEvent, u64_pair_t -> U64PairT, __u32 -> U32; "" stays "". */
    static String upperCamel(String cName) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : cName.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                upper = true;
                continue;
            }
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = false;
        }
        if (!out.isEmpty() && Character.isDigit(out.charAt(0))) {
            out.insert(0, 'T');
        }
        return out.toString();
    }

    /** start_time -> startTime, PID -> pid, class -> class_, _ -> _1... (never empty, never a keyword). */
    static String lowerCamel(String cName) {
        String upper = upperCamel(cName);
        if (upper.isEmpty()) {
            return "value";
        }
        // an all-capitals name (PID, MAX_LEN) reads better entirely in lower case
        String lower = upper.equals(upper.toUpperCase()) ? upper.toLowerCase()
                : Character.toLowerCase(upper.charAt(0)) + upper.substring(1);
        return safe(lower);
    }

    /** Names a record may not give a component (JLS 8.10.1): they would override Object's methods. */
    static final Set<String> RECORD_RESTRICTED = Set.of("clone", "finalize", "getClass", "hashCode", "notify",
            "notifyAll", "toString", "wait");

    /** A record component's name for a C member: lowerCamelCase, keywords and Object's methods avoided. */
    static String component(String cName) {
        String name = lowerCamel(cName);
        return RECORD_RESTRICTED.contains(name) ? name + "_" : name;
    }

    /** Whether name can be a Java identifier as it is (an enum constant keeps its C name). */
    static boolean isIdentifier(String name) {
        return name.matches("[A-Za-z_$][A-Za-z0-9_$]*") && !KEYWORDS.contains(name);
    }

    /** name, or name_ when Java reserves it. */
    static String safe(String name) {
        return KEYWORDS.contains(name) ? name + "_" : name;
    }

    /** Text for a javadoc comment: nothing in it may end the comment or start a tag. */
    static String doc(String text) {
        return text.replace("*/", "*&#47;").replace("@", "&#64;");
    }

    /** A Java string literal's contents. */
    static String literal(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
