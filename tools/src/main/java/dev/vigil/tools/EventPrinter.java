package dev.vigil.tools;

/** A printer of decoded events: each one as libbpf-tools' columns, or with --json as one object a line. */
public abstract class EventPrinter<E> extends ToolPrinter<E> {
    protected EventPrinter(ToolOutput out) {
        super(out);
    }

    public void print(E e) {
        if (out.json()) {
            object(e);
        } else {
            columns(e);
        }
    }

    /** Writes the event's line(s) in libbpf-tools' columns. */
    protected abstract void columns(E e);
}
