package dev.vigil.rules.lang;

import dev.vigil.rules.SourcePos;

/** Where an AST node came from: a source map and the offset of the node's first character. */
public record Loc(SourceMap src, int offset) {
    public SourcePos pos() { return src.pos(offset); }
}
