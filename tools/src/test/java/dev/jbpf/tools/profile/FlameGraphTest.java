package dev.jbpf.tools.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.UnitTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The flame graph's geometry and escaping: plain Java, no kernel needed (kallsyms parsing: the library's KernelSymbolsTest). */
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
}
