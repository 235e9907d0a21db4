package dev.jbpf.tools.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws folded stacks as an SVG flame graph: one box per frame, as wide as its share of the
 * samples, callers below callees, boxes of a parent sorted by name. Each box has a tooltip
 * (its {@code <title>}) with the frame's samples and share. Plain Java, no native memory.
 */
public final class FlameGraph {
    private static final int WIDTH = 1200;
    private static final int FRAME_HEIGHT = 16;
    private static final int MARGIN = 10;
    private static final int TOP = 40;
    private static final double MIN_WIDTH = 0.1;
    private static final double CHAR_WIDTH = 6.6; // of the 11 px monospace text

    private FlameGraph() {
    }

    private static final class Node {
        final String name;
        final Map<String, Node> children = new LinkedHashMap<>();
        long count;

        Node(String name) {
            this.name = name;
        }

        int depth() {
            int deepest = 0;
            for (Node child : children.values()) {
                deepest = Math.max(deepest, child.depth());
            }
            return deepest + 1;
        }
    }

    /** The SVG document of {@code folded} (stack "a;b;c" to samples), titled {@code title}. */
    public static String svg(Map<String, Long> folded, String title) {
        Node root = new Node("all");
        for (Map.Entry<String, Long> entry : folded.entrySet()) {
            Node node = root;
            root.count += entry.getValue();
            for (String frame : entry.getKey().split(";")) {
                node = node.children.computeIfAbsent(frame, Node::new);
                node.count += entry.getValue();
            }
        }
        int depth = root.depth();
        int height = TOP + depth * FRAME_HEIGHT + 2 * MARGIN;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " xmlns=\"http://www.w3.org/2000/svg\">%n", WIDTH, height, WIDTH, height));
        svg.append("<style>text { font-family: monospace; font-size: 11px; fill: #000; } rect:hover { stroke: #000; }</style>\n");
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f0\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" style=\"font-size: 16px\">%s (%d samples)</text>%n",
                MARGIN, escape(title), root.count));
        if (root.count > 0) {
            double perSample = (WIDTH - 2.0 * MARGIN) / root.count;
            draw(svg, root, MARGIN, height - MARGIN - FRAME_HEIGHT, perSample, root.count);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void draw(StringBuilder svg, Node node, double x, int y, double perSample, long total) {
        double width = node.count * perSample;
        if (width < MIN_WIDTH) {
            return;
        }
        String tip = String.format(Locale.ROOT, "%s (%d samples, %.2f%%)", node.name, node.count, 100.0 * node.count / total);
        svg.append("<g><title>").append(escape(tip)).append("</title>");
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>",
                x, y, width, FRAME_HEIGHT - 1, colour(node.name)));
        int fits = (int) ((width - 6) / CHAR_WIDTH);
        if (fits >= 3) {
            String label = node.name.length() <= fits ? node.name : node.name.substring(0, fits - 2) + "..";
            svg.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\">%s</text>", x + 3, y + FRAME_HEIGHT - 4, escape(label)));
        }
        svg.append("</g>\n");
        List<Node> children = new ArrayList<>(node.children.values());
        children.sort((a, b) -> a.name.compareTo(b.name));
        double childX = x;
        for (Node child : children) {
            draw(svg, child, childX, y - FRAME_HEIGHT, perSample, total);
            childX += child.count * perSample;
        }
    }

    /** Warm colours for user code, blue-green for kernel frames ("_[k]"), stable per name. */
    private static String colour(String name) {
        int hash = name.hashCode();
        int a = (hash & 0xff) % 55;
        int b = ((hash >>> 8) & 0xff) % 80;
        if (name.endsWith("_[k]")) {
            return String.format(Locale.ROOT, "rgb(%d,%d,%d)", 80 + a, 170 + a, 190 + b / 2);
        }
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", 200 + a, 90 + b + a, 40 + a);
    }

    /** Text safe inside XML elements and attributes; characters XML 1.0 forbids become '?'. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c < 0x20 && c != '\t' ? '?' : c);
            }
        }
        return out.toString();
    }
}
