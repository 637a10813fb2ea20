package dev.vigil.rules.fields;

import dev.vigil.events.ProcessView;

/** Reads a text or numeric value from one process (used for ancestor fields). */
public interface ProcGetter {
    /** Text value, or null. */
    CharSequence str(ProcessView p);

    /** Numeric value, or ABSENT. */
    long num(ProcessView p);
}
