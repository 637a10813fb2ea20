package dev.vigil.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the tools' printers share: a column heading only without --json, and a record as one JSON object a
 * line. A printer writes its heading and its JSON fields; the mode check, the object around the fields and a
 * failed write (an UncheckedIOException, which the CLI's ToolSession reports) are here once.
 */
public abstract class ToolPrinter<E> {
    protected final ToolOutput out;

    protected ToolPrinter(ToolOutput out) {
        this.out = out;
    }

    /** libbpf-tools' column heading; nothing with --json. */
    public final void header() {
        if (!out.json()) {
            heading();
        }
    }

    /** Writes the heading line(s) (column mode only). */
    protected abstract void heading();

    /** Writes the record's fields into its JSON object. */
    protected abstract void fields(JsonGenerator g, E e) throws IOException;

    /** One JSON object a line with the record's fields. */
    protected final void object(E e) {
        try {
            JsonGenerator g = out.beginObject();
            fields(g, e);
            out.endObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
