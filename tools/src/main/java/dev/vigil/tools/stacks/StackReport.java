package dev.vigil.tools.stacks;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.ToolOutput;
import dev.vigil.tools.flamegraph.FlameGraphSvg;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How profile and offcputime end: the stacks as BCC's listing, folded lines (-f) or JSON (one object per
 * stack), and with {@code --svg FILE} also an interactive flame graph.
 *
 * @param unit what a sample's value counts, for the flame graph ("samples", "us")
 */
public record StackReport(StackPrinter printer, boolean folded, Path svg, String title, String unit) {

    public void write(ToolOutput out, List<StackSample> samples) {
        try {
            if (out.json()) {
                for (StackSample s : samples) {
                    JsonGenerator g = out.beginObject();
                    g.writeNumberField("pid", s.key().tgid());
                    g.writeNumberField("tid", s.key().pid());
                    g.writeStringField("comm", s.key().comm());
                    g.writeNumberField("value", s.value());
                    frames(g, "user", printer.userStacks() ? s.user() : List.of());
                    frames(g, "kernel", printer.kernelStacks() ? s.kernel() : List.of());
                    out.endObject();
                }
            } else if (folded) {
                StringWriter w = new StringWriter();
                printer.writeFolded(w, samples);
                out.print(w.toString());
            } else {
                StringWriter w = new StringWriter();
                for (StackSample s : samples) {
                    printer.list(w, s);
                }
                out.print(w.toString());
            }
            if (svg != null) {
                try (Writer w = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
                    FlameGraphSvg.write(w, printer.toFoldedStacks(samples), FlameGraphSvg.Options.of(title, unit));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void frames(JsonGenerator g, String field, List<Symbolizer.Frame> frames) throws IOException {
        g.writeArrayFieldStart(field);
        for (Symbolizer.Frame f : frames) {
            g.writeStartObject();
            g.writeStringField("addr", "0x" + Long.toHexString(f.address()));
            if (f.name() != null) {
                g.writeStringField("sym", f.name());
                g.writeNumberField("offset", f.offset());
            }
            if (f.module() != null && !f.module().isEmpty()) {
                g.writeStringField("module", f.module());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** A --svg path must be writable before the tool runs, not after minutes of sampling. */
    public static void checkWritable(Path svg) {
        if (svg == null) {
            return;
        }
        Path parent = svg.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent) || Files.isDirectory(svg)) {
            throw new IllegalArgumentException("--svg " + svg + ": cannot write a file there");
        }
    }
}
