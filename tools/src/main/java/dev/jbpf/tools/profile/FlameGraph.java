package dev.jbpf.tools.profile;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws folded stacks as an SVG flame graph: one box per frame, as wide as its share of the
 * samples, callers below callees, boxes of a parent sorted by name. Each box has a tooltip
 * (its {@code <title>}) with the frame's samples, share and kind, and is coloured by its kind
 * ({@link Profile.FrameKind}), after FlameGraph's java palette: Java (JIT-compiled) green,
 * interpreted Java aqua, JVM stubs light yellow, C++ yellow, other native code red, kernel
 * orange, unnamed addresses grey, the process (the first frame) lavender; the shade within a
 * colour follows the name, so a frame keeps its colour from graph to graph. Each box's group
 * has the kind's id as its class ({@code <g class="java">}), and a legend names the colours
 * used. Plain Java, no native memory.
 */
public final class FlameGraph {
    private static final int WIDTH = 1200;
    private static final int FRAME_HEIGHT = 16;
    private static final int MARGIN = 10;
    private static final int TOP = 40;
    private static final double MIN_WIDTH = 0.1;
    private static final double CHAR_WIDTH = 6.6; // of the 11 px monospace text
    private static final String PROCESS = "process";

    private FlameGraph() {
    }

    private static final class Node {
        final String name;
        final Profile.FrameKind kind; // null for the root and the processes
        final Map<String, Node> children = new LinkedHashMap<>();
        long count;

        Node(String name, Profile.FrameKind kind) {
            this.name = name;
            this.kind = kind;
        }

        Node child(String key, String name, Profile.FrameKind kind) {
            return children.computeIfAbsent(key, k -> new Node(name, kind));
        }

        int depth() {
            int deepest = 0;
            for (Node child : children.values()) {
                deepest = Math.max(deepest, child.depth());
            }
            return deepest + 1;
        }
    }

    /**
     * The SVG document of {@code folded} (stack "comm;frame;frame" to samples), titled {@code title}:
     * a frame's kind is read from its text ({@link Profile.FrameKind#ofFolded}: FlameGraph's
     * annotations "_[j]", "_[k]", which the boxes do not show).
     */
    public static String svg(Map<String, Long> folded, String title) {
        Node root = new Node("all", null);
        for (Map.Entry<String, Long> entry : folded.entrySet()) {
            String[] frames = entry.getKey().split(";");
            Node node = root.child(frames[0], frames[0], null);
            root.count += entry.getValue();
            node.count += entry.getValue();
            for (int i = 1; i < frames.length; i++) {
                node = node.child(frames[i], Profile.FrameKind.withoutAnnotation(frames[i]), Profile.FrameKind.ofFolded(frames[i]));
                node.count += entry.getValue();
            }
        }
        return draw(root, title);
    }

    /** The SVG document of {@code profile}'s stacks, titled {@code title}, coloured by the kinds the profile gives its frames. */
    public static String svg(Profile profile, String title) {
        Node root = new Node("all", null);
        for (Profile.Stack stack : profile.stacks()) {
            Node node = root.child(stack.comm(), stack.comm(), null);
            root.count += stack.count();
            node.count += stack.count();
            for (Profile.Frame frame : stack.frames()) {
                node = node.child(frame.folded(), frame.name(), frame.kind());
                node.count += stack.count();
            }
        }
        return draw(root, title);
    }

    private static String draw(Node root, String title) {
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
        legend(svg, root);
        if (root.count > 0) {
            double perSample = (WIDTH - 2.0 * MARGIN) / root.count;
            draw(svg, root, MARGIN, height - MARGIN - FRAME_HEIGHT, perSample, root.count, true);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The kinds the graph has, right-aligned under the title: a swatch of each colour and its name (no group: groups are boxes). */
    private static void legend(StringBuilder svg, Node root) {
        EnumSet<Profile.FrameKind> kinds = EnumSet.noneOf(Profile.FrameKind.class);
        collectKinds(root, kinds);
        if (kinds.isEmpty()) {
            return;
        }
        List<String> labels = new ArrayList<>();
        for (Profile.FrameKind kind : kinds) {
            labels.add(kind.id());
        }
        int chars = labels.stream().mapToInt(String::length).sum();
        double x = WIDTH - MARGIN - (chars * CHAR_WIDTH + labels.size() * 22);
        for (Profile.FrameKind kind : kinds) {
            svg.append(String.format(Locale.ROOT, "<rect class=\"legend\" x=\"%.1f\" y=\"29\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%.1f\" y=\"38\">%s</text>", x, colour(kind, ""), x + 13, kind.id()));
            x += 22 + kind.id().length() * CHAR_WIDTH;
        }
        svg.append('\n');
    }

    private static void collectKinds(Node node, EnumSet<Profile.FrameKind> kinds) {
        if (node.kind != null) {
            kinds.add(node.kind);
        }
        node.children.values().forEach(child -> collectKinds(child, kinds));
    }

    private static void draw(StringBuilder svg, Node node, double x, int y, double perSample, long total, boolean root) {
        double width = node.count * perSample;
        if (width < MIN_WIDTH) {
            return;
        }
        String tip = String.format(Locale.ROOT, "%s (%d samples, %.2f%%)", node.name, node.count, 100.0 * node.count / total);
        String kind = root ? "all" : node.kind == null ? PROCESS : node.kind.id();
        if (node.kind != null) {
            tip += " [" + node.kind.id() + "]";
        }
        svg.append("<g class=\"").append(kind).append("\"><title>").append(escape(tip)).append("</title>");
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>",
                x, y, width, FRAME_HEIGHT - 1, root ? "rgb(220,220,220)" : colour(node.kind, node.name)));
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
            draw(svg, child, childX, y - FRAME_HEIGHT, perSample, total, false);
            childX += child.count * perSample;
        }
    }

    /**
     * The fill of a box: the hue of its kind (null: a process), a shade of it picked by the
     * name's hash (an empty name: the kind's middle shade, for the legend).
     */
    static String colour(Profile.FrameKind kind, String name) {
        int hash = name.hashCode();
        double a = name.isEmpty() ? 0.5 : ((hash & 0xff) / 255.0);
        double b = name.isEmpty() ? 0.5 : (((hash >>> 8) & 0xff) / 255.0);
        int[] rgb;
        if (kind == null) {
            rgb = new int[] {190 + (int) (30 * a), 180 + (int) (30 * a), 230 + (int) (25 * b)}; // lavender
        } else {
            rgb = switch (kind) {
                case JAVA -> new int[] {50 + (int) (60 * a), 190 + (int) (60 * b), 50 + (int) (60 * a)}; // green
                case INTERPRETED -> new int[] {60 + (int) (50 * a), 175 + (int) (50 * b), 175 + (int) (50 * b)}; // aqua
                case STUB -> new int[] {215 + (int) (30 * a), 215 + (int) (30 * a), 110 + (int) (40 * b)}; // light yellow
                case CPP -> new int[] {175 + (int) (50 * a), 175 + (int) (50 * a), 40 + (int) (30 * b)}; // yellow
                case NATIVE -> new int[] {200 + (int) (55 * a), 60 + (int) (70 * b), 60 + (int) (70 * b)}; // red
                case KERNEL -> new int[] {215 + (int) (40 * a), 110 + (int) (50 * b), (int) (30 * a)}; // orange
                case UNKNOWN -> new int[] {165 + (int) (30 * a), 165 + (int) (30 * a), 165 + (int) (30 * a)}; // grey
            };
        }
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", rgb[0], rgb[1], rgb[2]);
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
