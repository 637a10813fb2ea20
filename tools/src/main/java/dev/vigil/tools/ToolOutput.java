package dev.vigil.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.ebpf.tool.Log2Histogram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * A tool's stdout: libbpf-tools' columns, or with --json one JSON object a line (a histogram is one object
 * per interval). Buffered here; I/O errors (a closed pipe) surface as
 * {@link UncheckedIOException}, which ends a tool quietly.
 */
public final class ToolOutput {
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final Writer writer; // the character-stream form: print and JSON go straight to it
    private final LineBuffer text;
    private final JsonGenerator json;

    /**
     * Writes to a character stream (the first form of this API; the network and profiling tools use it):
     * {@link #print} and JSON objects go straight to the writer, so flushing the writer is enough.
     * {@link #line()} is buffered here and needs {@link #flush()}.
     */
    public ToolOutput(Writer out, boolean json) {
        this.writer = out;
        this.out = new WriterStream(out);
        this.text = new LineBuffer(this.out);
        try {
            this.json = json ? JSON.createGenerator(out).configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)
                    .configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, false) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (this.json != null) {
            this.json.setRootValueSeparator(null);
        }
    }

    /** Bytes from {@link #line()} decoded at each flush, when every line handed over is complete. */
    private static final class WriterStream extends OutputStream {
        private final Writer writer;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        WriterStream(Writer writer) {
            this.writer = writer;
        }

        @Override public void write(int b) { pending.write(b); }
        @Override public void write(byte[] b, int off, int len) { pending.write(b, off, len); }

        @Override
        public void flush() throws IOException {
            writer.write(pending.toString(StandardCharsets.UTF_8));
            pending.reset();
            writer.flush();
        }
    }

    /** Writes to {@code out} (unbuffered is best: text and JSON both buffer here). */
    public ToolOutput(OutputStream out, boolean json) {
        this.out = out;
        this.writer = null;
        this.text = new LineBuffer(out);
        try {
            this.json = json ? JSON.createGenerator(out).configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (this.json != null) {
            this.json.setRootValueSeparator(null);
        }
    }

    public boolean json() {
        return json != null;
    }

    /** Text mode: the line being built (columns are the caller's). */
    public LineBuffer line() {
        return text;
    }

    /** Text mode: writes as is. */
    public void print(String s) {
        if (writer != null) {
            try {
                writer.write(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        text.str(s);
    }

    public void printf(String format, Object... args) {
        print(String.format(format, args));
    }

    /** JSON mode: starts a line's object; fill it, then {@link #endObject()}. */
    public JsonGenerator beginObject() {
        try {
            json.writeStartObject();
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void endObject() {
        try {
            json.writeEndObject();
            json.writeRaw('\n');
            if (writer != null) {
                json.flush(); // into the writer (not through it): its owner flushes it
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a log2 tool adds to each histogram: JSON labels, and the text heading above it (BCC's "pid = N"). */
    public interface HistogramLabels<E> {
        void json(JsonGenerator g, E entry) throws IOException;

        void text(ToolOutput out, E entry);
    }

    /**
     * One interval of log2 histograms as libbpf-tools prints them: with --json one object per histogram (its
     * labels, unit and buckets); else a blank line, the time with {@code time}, then each heading and histogram.
     */
    public <E> void printHistograms(java.util.List<E> entries, java.util.function.Function<E, Log2Histogram> histogram,
            String unit, boolean time, HistogramLabels<E> labels) {
        if (json()) {
            try {
                for (E e : entries) {
                    JsonGenerator g = beginObject();
                    labels.json(g, e);
                    g.writeStringField("unit", unit);
                    writeBuckets(g, histogram.apply(e));
                    endObject();
                }
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return;
        }
        print("\n");
        if (time) {
            printf("%-8s%n", hms());
        }
        for (E e : entries) {
            labels.text(this, e);
            print(histogram.apply(e).format(unit));
        }
    }

    /** A histogram's buckets as {@code "buckets":[{"low":..,"high":..,"count":..}]} inside the current object. */
    public static void writeBuckets(JsonGenerator g, Log2Histogram h) throws IOException {
        g.writeArrayFieldStart("buckets");
        for (Log2Histogram.Bucket b : h.buckets()) {
            g.writeStartObject();
            g.writeNumberField("low", b.low());
            g.writeNumberField("high", b.high());
            g.writeNumberField("count", b.count());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    public void flush() {
        try {
            text.flush();
            if (json != null) {
                json.flush();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The wall clock as the tools' TIME column: HH:MM:SS. */
    public static String hms() {
        return LocalTime.now().format(HMS);
    }

    /** A NUL-terminated string of at most {@code max} bytes in a record (comm, paths). */
    public static String cString(MemorySegment data, long at, int max) {
        int n = 0;
        while (n < max && data.get(ValueLayout.JAVA_BYTE, at + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }
}
