package dev.vigil.rules.load;

import dev.vigil.rules.SourcePos;
import dev.vigil.rules.lang.SourceMap;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

import java.util.Arrays;

/** A rules file's text, to turn YAML marks and offsets inside scalars into 1-based line:column positions. */
final class SourceFile {
    final String name;
    final String text;
    private final int[] lineStarts;

    SourceFile(String name, String text) {
        this.name = name;
        this.text = text;
        int n = 1;
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') n++;
        lineStarts = new int[n];
        int l = 1;
        for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') lineStarts[l++] = i + 1;
    }

    SourcePos posOfIndex(int index) {
        int i = Arrays.binarySearch(lineStarts, index);
        int line = i >= 0 ? i : -i - 2;
        return new SourcePos(name, line + 1, index - lineStarts[Math.max(0, line)] + 1);
    }

    SourcePos pos(Mark m) { return new SourcePos(name, m.getLine() + 1, m.getColumn() + 1); }

    SourcePos pos(Node n) {
        return n.getStartMark().map(this::pos).orElse(new SourcePos(name, 1, 1));
    }

    /**
     * Maps offsets in a scalar's value back to the file: the value is aligned character by character with the raw
     * text between the node's marks, which handles plain, quoted (escapes), literal and folded scalars.
     */
    SourceMap mapOf(ScalarNode node) {
        String v = node.getValue();
        int start = node.getStartMark().map(Mark::getIndex).orElse(-1);
        int end = node.getEndMark().map(Mark::getIndex).orElse(-1);
        if (start < 0 || end < start || end > text.length()) {
            SourcePos p = pos(node);
            return off -> p;
        }
        int j = start;
        ScalarStyle st = node.getScalarStyle();
        if (st == ScalarStyle.LITERAL || st == ScalarStyle.FOLDED) {
            int nl = text.indexOf('\n', start);
            j = nl < 0 || nl > end ? start : nl + 1;
        } else if (st == ScalarStyle.DOUBLE_QUOTED || st == ScalarStyle.SINGLE_QUOTED) {
            j = start + 1;
        }
        int[] map = new int[v.length() + 1];
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ' ' || c == '\n' || c == '\t') {
                int k = j;
                while (k < end && k < j + 4 && text.charAt(k) != c && isSpace(text.charAt(k))) k++;
                if (k < end && text.charAt(k) == c) j = k;
                map[i] = j;
                if (j < end && text.charAt(j) == c) j++;
                continue;
            }
            int k = j;
            while (k < end && text.charAt(k) != c) k++;
            if (k < end) {
                map[i] = k;
                j = k + 1;
            } else {
                map[i] = Math.min(j, Math.max(start, end - 1));
            }
        }
        map[v.length()] = Math.min(j, Math.max(start, end));
        return off -> posOfIndex(map[Math.max(0, Math.min(off, map.length - 1))]);
    }

    private static boolean isSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }
}
