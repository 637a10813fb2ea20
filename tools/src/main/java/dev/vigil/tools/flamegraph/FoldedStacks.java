package dev.vigil.tools.flamegraph;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stacks with counts, merged into a tree by common prefix (root first: {@code comm;main;work}). It reads
 * and writes the folded format Brendan Gregg's stackcollapse scripts, BCC's {@code -f} and
 * libbpf-tools' {@code -f} use: one line per stack, frames joined by {@code ;}, a space, the count.
 */
public final class FoldedStacks {
    /** One frame in the tree: its own count (stacks ending here) and its children by name, sorted. */
    public static final class Node {
        private final String name;
        private final Map<String, Node> children = new TreeMap<>();
        private long self;
        private long total;

        Node(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        /** Count of stacks ending in this frame. */
        public long self() {
            return self;
        }

        /** Count of stacks through this frame (self plus children's totals). */
        public long total() {
            return total;
        }

        /** Children in name order (flame graphs sort frames alphabetically, not by time). */
        public Collection<Node> children() {
            return children.values();
        }
    }

    private final Node root = new Node("all");

    /** Adds {@code count} to a stack given root first; empty stacks and non-positive counts are ignored. */
    public void add(List<String> rootFirst, long count) {
        if (rootFirst.isEmpty() || count <= 0) {
            return;
        }
        Node n = root;
        n.total += count;
        for (String frame : rootFirst) {
            String name = frame.isEmpty() ? "[unknown]" : frame;
            n = n.children.computeIfAbsent(name, Node::new);
            n.total += count;
        }
        n.self += count;
    }

    public Node root() {
        return root;
    }

    public long total() {
        return root.total;
    }

    public boolean isEmpty() {
        return root.total == 0;
    }

    /** Writes one folded line per distinct stack, in tree order. A ';' inside a frame name becomes ':'. */
    public void writeFolded(Appendable out) throws IOException {
        List<String> path = new ArrayList<>();
        for (Node c : root.children()) {
            write(out, c, path);
        }
    }

    private static void write(Appendable out, Node n, List<String> path) throws IOException {
        path.add(n.name.replace(';', ':'));
        if (n.self > 0) {
            out.append(String.join(";", path)).append(' ').append(Long.toString(n.self)).append('\n');
        }
        for (Node c : n.children()) {
            write(out, c, path);
        }
        path.removeLast();
    }

    /** Reads folded lines ({@code a;b;c 12}); lines without a trailing count are rejected with their number. */
    public static FoldedStacks parse(Reader reader) {
        FoldedStacks stacks = new FoldedStacks();
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        try {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int sp = line.lastIndexOf(' ');
                long count;
                try {
                    count = sp < 0 ? -1 : Long.parseLong(line.substring(sp + 1));
                } catch (NumberFormatException e) {
                    count = -1;
                }
                if (count < 0) {
                    throw new IllegalArgumentException("line " + number + ": expected 'frame;frame;... COUNT', got '" + abbreviate(line) + "'");
                }
                stacks.add(List.of(line.substring(0, sp).split(";")), count);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stacks;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
