package dev.vigil.tools.execsnoop;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * Prints events as libbpf-tools' execsnoop does ({@code [TIME] [TIME(s)] [UID] PCOMM PID PPID RET ARGS})
 * or as one JSON object a line. Output is buffered; call {@link #flush()} after each batch.
 */
public final class ExecSnoopPrinter implements Consumer<ExecEvent> {
    /** Columns and format switches, as execsnoop's -T, -t, -U, -q and --json. */
    public record Format(boolean time, boolean timestamp, boolean printUid, boolean quote, boolean json) {}

    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;
    private final Format format;
    private final long startBootNs;
    private final JsonGenerator json;

    public ExecSnoopPrinter(Writer out, Format format, long startBootNs) {
        this.out = out;
        this.format = format;
        this.startBootNs = startBootNs;
        try {
            this.json = format.json() ? JSON.createGenerator(out).configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (json != null) {
            json.setRootValueSeparator(null);
        }
    }

    public void printHeader() {
        if (format.json()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (format.time()) {
            sb.append(String.format("%-8s ", "TIME"));
        }
        if (format.timestamp()) {
            sb.append(String.format("%-8s ", "TIME(s)"));
        }
        if (format.printUid()) {
            sb.append(String.format("%-6s ", "UID"));
        }
        sb.append(String.format("%-16s %-6s %-6s %3s %s%n", "PCOMM", "PID", "PPID", "RET", "ARGS"));
        write(sb.toString());
    }

    @Override
    public void accept(ExecEvent e) {
        if (format.json()) {
            writeJson(e);
            return;
        }
        StringBuilder sb = new StringBuilder(128);
        if (format.time()) {
            sb.append(String.format("%-8s ", LocalTime.now().format(HMS)));
        }
        if (format.timestamp()) {
            sb.append(String.format("%-8.3f ", seconds(e)));
        }
        if (format.printUid()) {
            sb.append(String.format("%-6d ", Integer.toUnsignedLong(e.uid())));
        }
        sb.append(String.format("%-16s %-6d %-6d %3d ", e.comm(), e.pid(), e.ppid(), e.retval()));
        sb.append(e.commandLine(format.quote())).append('\n');
        write(sb.toString());
    }

    private double seconds(ExecEvent e) {
        return (e.bootTimeNs() - startBootNs) / 1e9;
    }

    private void writeJson(ExecEvent e) {
        try {
            json.writeStartObject();
            if (format.time()) {
                json.writeStringField("time", LocalTime.now().format(HMS));
            }
            json.writeNumberField("timestamp", Math.round(seconds(e) * 1e6) / 1e6);
            json.writeNumberField("uid", Integer.toUnsignedLong(e.uid()));
            json.writeStringField("pcomm", e.comm());
            json.writeNumberField("pid", e.pid());
            json.writeNumberField("tid", e.tid());
            json.writeNumberField("ppid", e.ppid());
            json.writeNumberField("ret", e.retval());
            json.writeArrayFieldStart("args");
            for (String a : e.args()) {
                json.writeString(a);
            }
            json.writeEndArray();
            json.writeBooleanField("args_truncated", e.truncated());
            json.writeEndObject();
            json.flush();
            out.write('\n');
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void write(String s) {
        try {
            out.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
