package dev.jbpf.tools.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The flame graph's geometry, escaping and colours: plain Java, no kernel needed (kallsyms parsing: the library's KernelSymbolsTest). */
@UnitTest
class FlameGraphTest {

    @Test
    void boxesAreAsWideAsTheirSamplesAndNamesAreEscaped() throws Exception {
        String svg = FlameGraph.svg(Map.of("app;main;work", 3L, "app;main;<lambda>&1", 1L), "test \"graph\"");
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList groups = doc.getElementsByTagName("g");
        double all = 0;
        double work = 0;
        double lambda = 0;
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagName("title").item(0).getTextContent();
            double width = Double.parseDouble(((Element) g.getElementsByTagName("rect").item(0)).getAttribute("width"));
            if (title.startsWith("all ")) {
                all = width;
            } else if (title.startsWith("work ")) {
                work = width;
            } else if (title.startsWith("<lambda>&1 (1 samples, 25.00%)")) {
                lambda = width;
            }
        }
        assertEquals(5, groups.getLength(), "all, app, main, work, <lambda>&1");
        assertEquals(all * 3 / 4, work, 0.01);
        assertEquals(all / 4, lambda, 0.01);
        assertTrue(svg.contains("test &quot;graph&quot; (4 samples)"), svg);
    }

    private static Map<String, Element> groupsByTitle(String svg) throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList groups = doc.getElementsByTagName("g");
        Map<String, Element> byName = new java.util.HashMap<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagName("title").item(0).getTextContent();
            byName.put(title.substring(0, title.lastIndexOf(" (")), g);
        }
        return byName;
    }

    /** The fill of a box as {r, g, b}. */
    private static int[] rgb(Element group) {
        String fill = ((Element) group.getElementsByTagName("rect").item(0)).getAttribute("fill");
        String[] parts = fill.substring(4, fill.length() - 1).split(",");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    /** Each kind of frame gets its class and its colour: Java green, C++ yellow, native red, kernel orange. */
    @Test
    void framesAreColouredByTheirKind() throws Exception {
        List<Profile.Frame> frames = List.of(
                new Profile.Frame("start_thread", Profile.FrameKind.NATIVE, 0x7f0000001000L),
                new Profile.Frame("JavaCalls::call_helper(JavaValue*)", Profile.FrameKind.CPP, 0x7f0000002000L),
                new Profile.Frame("StubRoutines (1)", Profile.FrameKind.STUB, 0x7f0000003000L),
                new Profile.Frame("Interpreter", Profile.FrameKind.INTERPRETED, 0x7f0000004000L),
                new Profile.Frame("JavaHot.spinHotMethod", Profile.FrameKind.JAVA, 0x7f0000005000L),
                new Profile.Frame("libjvm.so+0x1234", Profile.FrameKind.UNKNOWN, 0x7f0000006000L),
                new Profile.Frame("asm_sysvec_apic_timer_interrupt", Profile.FrameKind.KERNEL, 0xffffffff81000000L));
        Profile profile = new Profile("cpu-clock", 99, java.time.Duration.ofSeconds(1),
                List.of(new Profile.Stack(42, "java", frames, 7)), 7, 0);
        Map<String, Element> groups = groupsByTitle(FlameGraph.svg(profile, "kinds"));

        Element java = groups.get("JavaHot.spinHotMethod");
        assertEquals("java", java.getAttribute("class"));
        int[] green = rgb(java);
        assertTrue(green[1] > green[0] + 60 && green[1] > green[2] + 60, "Java is green: " + java.getAttribute("class"));
        assertTrue(java.getElementsByTagName("title").item(0).getTextContent().endsWith("[java]"));

        Element cpp = groups.get("JavaCalls::call_helper(JavaValue*)");
        assertEquals("cpp", cpp.getAttribute("class"));
        int[] yellow = rgb(cpp);
        assertTrue(yellow[0] == yellow[1] && yellow[2] < yellow[0] - 80, "C++ is yellow");

        Element nativeFrame = groups.get("start_thread");
        assertEquals("native", nativeFrame.getAttribute("class"));
        int[] red = rgb(nativeFrame);
        assertTrue(red[0] > red[1] + 60 && red[1] == red[2], "native is red");

        Element kernel = groups.get("asm_sysvec_apic_timer_interrupt");
        assertEquals("kernel", kernel.getAttribute("class"));
        int[] orange = rgb(kernel);
        assertTrue(orange[0] > orange[1] + 40 && orange[1] > orange[2] + 60, "kernel is orange");

        assertEquals("interpreted", groups.get("Interpreter").getAttribute("class"));
        assertEquals("stub", groups.get("StubRoutines (1)").getAttribute("class"));
        assertEquals("unknown", groups.get("libjvm.so+0x1234").getAttribute("class"));
        assertEquals("process", groups.get("java").getAttribute("class"));
        // every colour apart: no two kinds share a fill
        java.util.Set<String> fills = new java.util.HashSet<>();
        for (Element g : groups.values()) {
            fills.add(((Element) g.getElementsByTagName("rect").item(0)).getAttribute("fill"));
        }
        assertEquals(groups.size(), fills.size(), "distinct fills");
    }

    /** Folded text carries the kinds of Java and kernel frames as FlameGraph's annotations; the boxes show the names without them. */
    @Test
    void foldedAnnotationsGiveKindsAndAreNotShown() throws Exception {
        Profile.Frame java = new Profile.Frame("JavaHot.spinHotMethod", Profile.FrameKind.JAVA, 1);
        Profile.Frame kernel = new Profile.Frame("do_syscall_64", Profile.FrameKind.KERNEL, 2);
        Profile.Stack stack = new Profile.Stack(1, "java", List.of(java, kernel), 3);
        assertEquals("java;JavaHot.spinHotMethod_[j];do_syscall_64_[k]", stack.folded());

        Map<String, Element> groups = groupsByTitle(FlameGraph.svg(Map.of(stack.folded(), 3L,
                "java;JavaCalls::call_helper();0x7f0012345678", 1L), "folded"));
        assertEquals("java", groups.get("JavaHot.spinHotMethod").getAttribute("class"));
        assertEquals("kernel", groups.get("do_syscall_64").getAttribute("class"));
        assertEquals("cpp", groups.get("JavaCalls::call_helper()").getAttribute("class"));
        assertEquals("unknown", groups.get("0x7f0012345678").getAttribute("class"));
        assertTrue(groups.keySet().stream().noneMatch(name -> name.endsWith("_[j]") || name.endsWith("_[k]")), groups.keySet().toString());
    }
}
