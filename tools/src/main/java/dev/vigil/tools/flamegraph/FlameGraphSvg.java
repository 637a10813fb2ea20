package dev.vigil.tools.flamegraph;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * Writes {@link FoldedStacks} as an interactive SVG flame graph: one box per frame, width by count,
 * children above their parent and sorted by name. Open it in a browser: hover for a frame's count and
 * share, click to zoom into a frame (click "Reset Zoom" to go back), "Search" (or Ctrl-F) highlights
 * frames matching a regular expression and reports the share of samples they cover. Every box also
 * carries its position in samples ({@code data-x}, {@code data-w}, {@code data-d}), which is what the
 * script zooms on and what a program can read back.
 *
 * <p>Colors say where a frame runs: names ending {@code _[k]} kernel (orange), {@code _[j]} JIT-compiled
 * code (green), {@code [unknown]} grey, everything else native user code (red to yellow).
 */
public final class FlameGraphSvg {
    /** What to write: the title, what a count is ("samples", "us"), and the image width in pixels. */
    public record Options(String title, String countName, int width) {
        public Options {
            if (width < 200) {
                throw new IllegalArgumentException("flame graph width must be at least 200 pixels, got " + width);
            }
        }

        public static Options of(String title, String countName) {
            return new Options(title, countName, 1200);
        }
    }

    static final int FRAME_HEIGHT = 16;
    static final int PAD = 10;
    static final int TOP = 60;
    static final int BOTTOM = 34;
    static final double FONT_SIZE = 12;
    /** Boxes narrower than this many pixels are left out (with what sits on them): they cannot be seen. */
    static final double MIN_WIDTH_PX = 0.1;

    private FlameGraphSvg() {}

    public static void write(Writer out, FoldedStacks stacks, Options options) throws IOException {
        long total = Math.max(1, stacks.total());
        double scale = (options.width() - 2.0 * PAD) / total;
        int depth = maxDepth(stacks.root(), 0, scale);
        int height = TOP + (depth + 1) * FRAME_HEIGHT + BOTTOM;
        StringBuilder s = new StringBuilder(1 << 16);
        s.append("<?xml version=\"1.0\" standalone=\"no\"?>\n");
        s.append("<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(options.width())
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(options.width()).append(' ').append(height)
                .append("\" onload=\"fgInit(evt)\" data-total=\"").append(stacks.total()).append("\" data-unit=\"")
                .append(escape(options.countName())).append("\">\n");
        s.append("<style>text{font-family:Verdana,sans-serif;font-size:").append((int) FONT_SIZE)
                .append("px;fill:#000}g.f:hover rect{stroke:#000;stroke-width:0.5;cursor:pointer}")
                .append("#title{font-size:17px;text-anchor:middle}.ctl{cursor:pointer;fill:#333}.ctl:hover{fill:#000;text-decoration:underline}</style>\n");
        s.append("<script type=\"text/ecmascript\"><![CDATA[\n").append(SCRIPT).append("]]></script>\n");
        s.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f8f8f0\"/>\n");
        s.append("<text id=\"title\" x=\"").append(options.width() / 2).append("\" y=\"24\">").append(escape(options.title()))
                .append("</text>\n");
        s.append("<text id=\"subtitle\" x=\"").append(options.width() / 2).append("\" y=\"42\" style=\"text-anchor:middle\">")
                .append(stacks.total()).append(' ').append(escape(options.countName())).append(" in all</text>\n");
        s.append("<text id=\"reset\" class=\"ctl\" x=\"").append(PAD).append("\" y=\"24\" style=\"display:none\" onclick=\"fgReset()\">Reset Zoom</text>\n");
        s.append("<text id=\"search\" class=\"ctl\" x=\"").append(options.width() - PAD - 100).append("\" y=\"24\" onclick=\"fgSearchPrompt()\">Search</text>\n");
        s.append("<text id=\"matched\" x=\"").append(options.width() - PAD - 100).append("\" y=\"").append(height - 12).append("\"></text>\n");
        s.append("<text id=\"details\" x=\"").append(PAD).append("\" y=\"").append(height - 12).append("\"> </text>\n");
        s.append("<g id=\"frames\" data-height=\"").append(height - BOTTOM).append("\">\n");
        frame(s, stacks.root(), 0, 0, total, scale, height - BOTTOM, options.countName());
        s.append("</g>\n</svg>\n");
        out.write(s.toString());
        out.flush();
    }

    private static int maxDepth(FoldedStacks.Node n, int depth, double scale) {
        int max = depth;
        for (FoldedStacks.Node c : n.children()) {
            if (c.total() * scale >= MIN_WIDTH_PX) {
                max = Math.max(max, maxDepth(c, depth + 1, scale));
            }
        }
        return max;
    }

    private static void frame(StringBuilder s, FoldedStacks.Node n, long x, int depth, long total, double scale, int baseY, String unit) {
        double px = PAD + x * scale;
        double w = n.total() * scale;
        int y = baseY - (depth + 1) * FRAME_HEIGHT;
        String name = depth == 0 ? "all" : n.name();
        s.append("<g class=\"f\" data-x=\"").append(x).append("\" data-w=\"").append(n.total()).append("\" data-d=\"").append(depth).append("\">");
        s.append("<title>").append(escape(name)).append(" (").append(String.format(Locale.ROOT, "%,d", n.total())).append(' ')
                .append(escape(unit)).append(", ").append(String.format(Locale.ROOT, "%.2f", 100.0 * n.total() / total)).append("%)</title>");
        s.append("<rect x=\"").append(fmt(px)).append("\" y=\"").append(y).append("\" width=\"").append(fmt(w))
                .append("\" height=\"").append(FRAME_HEIGHT - 1).append("\" rx=\"2\" fill=\"").append(color(name, depth)).append("\"/>");
        s.append("<text x=\"").append(fmt(px + 3)).append("\" y=\"").append(y + FRAME_HEIGHT - 4).append("\">")
                .append(escape(fit(name, w))).append("</text></g>\n");
        long childX = x;
        for (FoldedStacks.Node c : n.children()) {
            if (c.total() * scale >= MIN_WIDTH_PX) {
                frame(s, c, childX, depth + 1, total, scale, baseY, unit);
            }
            childX += c.total();
        }
    }

    /** The label that fits a box of this width (the script applies the same rule after a zoom). */
    static String fit(String name, double widthPx) {
        int chars = (int) ((widthPx - 6) / (FONT_SIZE * 0.59));
        if (chars < 3) {
            return "";
        }
        return name.length() <= chars ? name : name.substring(0, chars - 2) + "..";
    }

    /** A stable color per name (the same function is the same color in every graph), by kind of frame. */
    static String color(String name, int depth) {
        if (depth == 0) {
            return "rgb(200,200,200)";
        }
        int h = name.hashCode() * 0x9E3779B1;
        double a = ((h >>> 8) & 0xff) / 255.0;
        double b = ((h >>> 16) & 0xff) / 255.0;
        double c = (h >>> 24) / 255.0;
        int r;
        int g;
        int bl;
        if (name.endsWith("_[k]")) {          // kernel: orange
            r = 220 + (int) (30 * a); g = 120 + (int) (60 * b); bl = 30 + (int) (40 * c);
        } else if (name.endsWith("_[j]")) {   // JIT: green
            r = 50 + (int) (60 * a); g = 180 + (int) (60 * b); bl = 50 + (int) (60 * c);
        } else if (name.startsWith("[unknown]")) {
            r = g = bl = 170 + (int) (30 * a);
        } else {                              // native user code: red to yellow
            r = 205 + (int) (50 * a); g = (int) (200 * b); bl = (int) (50 * c);
        }
        return "rgb(" + r + "," + g + "," + bl + ")";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (ch < 0x20 && ch != '\t') {
                        b.append('?'); // control characters are not allowed in XML 1.0
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Zoom, search and details; works on data-x/w/d, so it needs no copy of the stacks. */
    private static final String SCRIPT = """
            var fgSvg, fgFrames, fgTotal, fgUnit, fgWidth, fgZoom = null, fgQuery = null;
            var FG_PAD = %d, FG_FONT = %s;
            function fgAttr(g, n) { return +g.getAttribute(n); }
            function fgName(g) { var t = g.firstChild.textContent; return t.substring(0, t.lastIndexOf(' (')); }
            function fgInit(evt) {
              fgSvg = document.documentElement;
              fgFrames = Array.prototype.slice.call(document.querySelectorAll('g.f'));
              fgTotal = +fgSvg.getAttribute('data-total') || 1;
              fgUnit = fgSvg.getAttribute('data-unit');
              fgWidth = +fgSvg.getAttribute('width');
              fgFrames.forEach(function (g) {
                g.addEventListener('click', function () { fgZoomTo(g); });
                g.addEventListener('mouseover', function () { fgDetails(g.firstChild.textContent); });
                g.addEventListener('mouseout', function () { fgDetails(' '); });
              });
              document.addEventListener('keydown', function (e) {
                if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); fgSearchPrompt(); }
                else if (e.key === 'Escape') { fgSearch(null); fgReset(); }
              });
              var q = new URLSearchParams(location.search).get('s');
              if (q) { fgSearch(q); }
            }
            function fgDetails(t) { document.getElementById('details').textContent = t; }
            function fgLabel(g, w) {
              var name = fgName(g), chars = Math.floor((w - 6) / (FG_FONT * 0.59));
              g.lastChild.textContent = chars < 3 ? '' : name.length <= chars ? name : name.substring(0, chars - 2) + '..';
            }
            function fgLayout(x0, w0, d0) {
              var avail = fgWidth - 2 * FG_PAD;
              fgFrames.forEach(function (g) {
                var x = fgAttr(g, 'data-x'), w = fgAttr(g, 'data-w'), d = fgAttr(g, 'data-d');
                var r = g.querySelector('rect'), t = g.lastChild;
                if (x + w <= x0 || x >= x0 + w0 || (d < d0 && !(x <= x0 && x + w >= x0 + w0))) { g.style.display = 'none'; return; }
                var px, pw;
                if (d < d0) { px = FG_PAD; pw = avail; g.style.opacity = '0.6'; }
                else { px = FG_PAD + (x - x0) / w0 * avail; pw = w / w0 * avail; g.style.opacity = ''; }
                if (pw < 0.1) { g.style.display = 'none'; return; }
                g.style.display = '';
                r.setAttribute('x', px.toFixed(1)); r.setAttribute('width', pw.toFixed(1));
                t.setAttribute('x', (px + 3).toFixed(1));
                fgLabel(g, pw);
              });
            }
            function fgZoomTo(g) {
              fgZoom = g;
              fgLayout(fgAttr(g, 'data-x'), fgAttr(g, 'data-w'), fgAttr(g, 'data-d'));
              document.getElementById('reset').style.display = fgAttr(g, 'data-d') === 0 ? 'none' : '';
            }
            function fgReset() {
              fgZoom = null;
              fgLayout(0, fgTotal, 0);
              document.getElementById('reset').style.display = 'none';
            }
            function fgSearchPrompt() {
              var q = prompt('Search frames (regular expression); empty clears', fgQuery || '');
              if (q !== null) { fgSearch(q === '' ? null : q); }
            }
            function fgSearch(q) {
              var re = null;
              if (q) { try { re = new RegExp(q); } catch (e) { alert('Bad regular expression: ' + e.message); return; } }
              fgQuery = q;
              var covered = [];
              fgFrames.forEach(function (g) {
                var r = g.querySelector('rect');
                if (r.getAttribute('data-fill') === null) { r.setAttribute('data-fill', r.getAttribute('fill')); }
                var hit = re !== null && fgAttr(g, 'data-d') > 0 && re.test(fgName(g));
                r.setAttribute('fill', hit ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));
                if (hit) { covered.push([fgAttr(g, 'data-x'), fgAttr(g, 'data-x') + fgAttr(g, 'data-w')]); }
              });
              // a match inside another match counts once: merge the covered intervals
              covered.sort(function (a, b) { return a[0] - b[0]; });
              var sum = 0, end = -1;
              covered.forEach(function (c) {
                if (c[0] >= end) { sum += c[1] - c[0]; end = c[1]; }
                else if (c[1] > end) { sum += c[1] - end; end = c[1]; }
              });
              document.getElementById('search').textContent = re ? 'Clear search' : 'Search';
              document.getElementById('matched').textContent = re ? 'Matched: ' + (100 * sum / fgTotal).toFixed(1) + '%%' : '';
            }
            """.formatted(PAD, Double.toString(FONT_SIZE));
}
