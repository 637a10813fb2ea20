package dev.vigil.rules.lang;

import dev.vigil.rules.SourcePos;

/** Maps an offset in a condition or output string back to its position in the rules file. */
@FunctionalInterface
public interface SourceMap {
    SourcePos pos(int offset);

    /** Every offset maps to one fixed position (text built by the loader, such as exception conditions). */
    static SourceMap fixed(SourcePos p) { return off -> p; }
}
