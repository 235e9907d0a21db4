package dev.jbpf.generator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads clang's {@code -fdump-record-layouts-complete} text: clang's own offsets (and bit
 * offsets) of every field, with the fields of nested records indented below them, and each
 * record's sizeof and alignment. Using clang's numbers means we never re-implement the ABI's
 * rules for bitfields, packing and {@code aligned} attributes.
 */
final class RecordLayouts {

    /** A dumped field; {@code offset} is in bytes from the start of the outermost record. */
    record Field(String name, String type, long offset, int bitStart, int bitWidth, List<Field> children) {
        boolean bitfield() { return bitWidth >= 0; }
    }

    /** A dumped record, keyed by its spelling ("struct perf_event_attr", "union bpf_attr::(...)"). */
    record Record(String spelling, long size, long align, List<Field> fields) {}

    // "  40:7-8 |     __u64 precise_ip", "  88:- |   size_t " (zero width), "  0 | struct x"
    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+)(?::(\\d+)-(\\d+)|:-)? \\| (\\s*)(.*)$");
    private static final Pattern END = Pattern.compile("\\[sizeof=(\\d+),.*\\balign=(\\d+)");

    static Map<String, Record> parse(String text) {
        Map<String, Record> out = new HashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("*** Dumping AST Record Layout")) continue;
            Matcher head = LINE.matcher(lines[++i]);
            if (!head.matches()) throw new IllegalStateException("layout dump: " + lines[i]);
            String spelling = head.group(5).strip();
            List<Field> top = new ArrayList<>();
            Deque<List<Field>> stack = new ArrayDeque<>();
            stack.push(top);
            while (true) {
                String l = lines[++i];
                Matcher end = END.matcher(l);
                if (end.find()) {
                    out.putIfAbsent(spelling, new Record(spelling, Long.parseLong(end.group(1)),
                            Long.parseLong(end.group(2)), top));
                    break;
                }
                Matcher m = LINE.matcher(l);
                if (!m.matches()) throw new IllegalStateException("layout dump: " + l);
                int depth = m.group(4).length() / 2;
                String decl = m.group(5);
                // "type name": the name is the last word; anonymous members end in a space.
                int sp = decl.lastIndexOf(' ');
                String name = decl.substring(sp + 1), type = decl.substring(0, sp);
                int bitStart = -1, bitWidth = -1;
                if (m.group(2) != null) {
                    bitStart = Integer.parseInt(m.group(2));
                    bitWidth = Integer.parseInt(m.group(3)) - bitStart + 1;
                } else if (l.contains(":- |")) {
                    bitStart = 0;
                    bitWidth = 0;
                }
                while (stack.size() > depth) stack.pop();
                Field f = new Field(name, type, Long.parseLong(m.group(1)), bitStart, bitWidth, new ArrayList<>());
                stack.peek().add(f);
                stack.push(f.children());
            }
        }
        return out;
    }
}
