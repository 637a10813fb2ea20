package dev.vigil.tools.flamegraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The SVG parsed back as XML: every frame's box, count and share must give back the stacks it was made from. */
class FlameGraphSvgTest {
    private static final Pattern TITLE = Pattern.compile("(.*) \\(([0-9,]+) (\\S+), ([0-9.]+)%\\)");

    record Box(String name, long x, long w, int depth, double px, double pw, String label, String fill) {}

    private static final String FOLDED = """
            spinner;main;spin_here 70
            spinner;main;spin_here;clock_gettime_[k] 5
            spinner;main;helper 20
            java;Interpreter;Main.loop_[j] 4
            odd <&> "name";x 1
            """;

    @Test
    void framesAndCountsReadBackFromTheSvg() throws Exception {
        FoldedStacks stacks = FoldedStacks.parse(new StringReader(FOLDED));
        assertThat(stacks.total()).isEqualTo(100);
        Document doc = render(stacks, "CPU profile");
        List<Box> boxes = boxes(doc);

        // the stacks, rebuilt from boxes alone (parent = the box one level down that holds x), equal the input
        assertThat(refold(boxes)).isEqualTo(refold(FOLDED));
        Box root = boxes.getFirst();
        assertThat(root).extracting(Box::name, Box::w, Box::depth).containsExactly("all", 100L, 0);
        Box spin = find(boxes, "spin_here");
        assertThat(spin.w()).isEqualTo(75);
        assertThat(spin.pw()).isCloseTo(75 * (1200 - 20) / 100.0, org.assertj.core.data.Offset.offset(0.11));
        assertThat(find(boxes, "x").depth()).isEqualTo(2);
        // titles: name, count with the unit, share
        String spinTitle = title(doc, "spin_here");
        assertThat(spinTitle).isEqualTo("spin_here (75 samples, 75.00%)");
        // colors by kind
        assertThat(find(boxes, "clock_gettime_[k]").fill()).matches("rgb\\((22\\d|23\\d|24\\d|250),.*");
        assertThat(find(boxes, "Main.loop_[j]").fill()).startsWith("rgb(").isNotEqualTo(find(boxes, "helper").fill());
        // labels fit their boxes; the tiny ones are blank
        assertThat(find(boxes, "spin_here").label()).isEqualTo("spin_here");
        assertThat(find(boxes, "x").label()).isEmpty();
        // interactive parts: the script, zoom and search controls, totals for the script
        Element svg = doc.getDocumentElement();
        assertThat(svg.getAttribute("onload")).isEqualTo("fgInit(evt)");
        assertThat(svg.getAttribute("data-total")).isEqualTo("100");
        String script = doc.getElementsByTagName("script").item(0).getTextContent();
        assertThat(script).contains("function fgZoomTo(", "function fgSearch(", "function fgReset(", "Matched: ");
        assertThat(byId(doc, "search").getAttribute("onclick")).isEqualTo("fgSearchPrompt()");
        assertThat(byId(doc, "title").getTextContent()).isEqualTo("CPU profile");
        assertThat(byId(doc, "subtitle").getTextContent()).isEqualTo("100 samples in all");
    }

    @Test
    void framesTooNarrowToSeeAreLeftOutButStillCount() throws Exception {
        FoldedStacks stacks = new FoldedStacks();
        stacks.add(List.of("a", "big"), 10_000_000);
        stacks.add(List.of("a", "tiny", "tinier"), 1);
        List<Box> boxes = boxes(render(stacks, "t"));
        assertThat(boxes).extracting(Box::name).containsExactly("all", "a", "big");
        assertThat(find(boxes, "a").w()).isEqualTo(10_000_001);
    }

    @Test
    void foldedRoundTripAndErrors() throws Exception {
        FoldedStacks stacks = FoldedStacks.parse(new StringReader(FOLDED));
        StringWriter w = new StringWriter();
        stacks.writeFolded(w);
        assertThat(refold(w.toString())).isEqualTo(refold(FOLDED));
        assertThatThrownBy(() -> FoldedStacks.parse(new StringReader("a;b 3\nno count here\n")))
                .hasMessage("line 2: expected 'frame;frame;... COUNT', got 'no count here'");
        stacks.add(List.of("semi;colon"), 2);
        StringWriter w2 = new StringWriter();
        stacks.writeFolded(w2);
        assertThat(w2.toString()).contains("semi:colon 2\n");
        assertThatThrownBy(() -> new FlameGraphSvg.Options("t", "samples", 10)).hasMessageContaining("at least 200");
    }

    private static Document render(FoldedStacks stacks, String title) throws Exception {
        StringWriter out = new StringWriter();
        FlameGraphSvg.write(out, stacks, FlameGraphSvg.Options.of(title, "samples"));
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Box> boxes(Document doc) {
        List<Box> out = new ArrayList<>();
        NodeList gs = doc.getElementsByTagName("g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (!"f".equals(g.getAttribute("class"))) {
                continue;
            }
            Matcher m = TITLE.matcher(g.getElementsByTagName("title").item(0).getTextContent());
            assertThat(m.matches()).isTrue();
            Element rect = (Element) g.getElementsByTagName("rect").item(0);
            long w = Long.parseLong(g.getAttribute("data-w"));
            assertThat(Long.parseLong(m.group(2).replace(",", ""))).isEqualTo(w);
            out.add(new Box(m.group(1), Long.parseLong(g.getAttribute("data-x")), w, Integer.parseInt(g.getAttribute("data-d")),
                    Double.parseDouble(rect.getAttribute("x")), Double.parseDouble(rect.getAttribute("width")),
                    g.getElementsByTagName("text").item(0).getTextContent(), rect.getAttribute("fill")));
        }
        return out;
    }

    /** folded lines from boxes: self count = width minus the children's widths. */
    private static Map<String, Long> refold(List<Box> boxes) {
        Map<Box, String> paths = new HashMap<>();
        Map<Box, Long> self = new HashMap<>();
        for (Box b : boxes) {
            self.put(b, b.w());
            if (b.depth() == 0) {
                paths.put(b, "");
                continue;
            }
            Box parent = boxes.stream().filter(p -> p.depth() == b.depth() - 1 && p.x() <= b.x() && b.x() < p.x() + p.w())
                    .findFirst().orElseThrow();
            paths.put(b, (parent.depth() == 0 ? "" : paths.get(parent) + ";") + b.name());
            self.merge(parent, -b.w(), Long::sum);
        }
        Map<String, Long> out = new TreeMap<>();
        for (Box b : boxes) {
            if (b.depth() > 0 && self.get(b) > 0) {
                out.put(paths.get(b), self.get(b));
            }
        }
        return out;
    }

    private static Map<String, Long> refold(String folded) {
        Map<String, Long> out = new TreeMap<>();
        folded.lines().filter(l -> !l.isBlank()).forEach(l -> {
            int sp = l.lastIndexOf(' ');
            out.merge(l.substring(0, sp), Long.parseLong(l.substring(sp + 1)), Long::sum);
        });
        return out;
    }

    private static Box find(List<Box> boxes, String name) {
        return boxes.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    private static String title(Document doc, String name) {
        NodeList titles = doc.getElementsByTagName("title");
        for (int i = 0; i < titles.getLength(); i++) {
            if (titles.item(i).getTextContent().startsWith(name + " (")) {
                return titles.item(i).getTextContent();
            }
        }
        throw new AssertionError("no title for " + name);
    }

    private static Element byId(Document doc, String id) {
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            if (id.equals(((Element) all.item(i)).getAttribute("id"))) {
                return (Element) all.item(i);
            }
        }
        throw new AssertionError("no element #" + id);
    }
}
