package dev.vigil.rules.load;

import dev.vigil.rules.SourcePos;
import dev.vigil.rules.lang.SourceMap;

import java.util.List;

/** A string value from a rules file with the map from its offsets to file positions. */
record Text(String value, SourceMap map, SourcePos pos) {
    /** Joins parts with a space (Falco's append), mapping each offset back to its part. */
    static Text join(List<Text> parts) {
        if (parts.size() == 1) return parts.getFirst();
        StringBuilder sb = new StringBuilder();
        int[] starts = new int[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) sb.append(' ');
            starts[i] = sb.length();
            sb.append(parts.get(i).value());
        }
        SourceMap m = off -> {
            int i = parts.size() - 1;
            while (i > 0 && starts[i] > off) i--;
            return parts.get(i).map().pos(Math.max(0, off - starts[i]));
        };
        return new Text(sb.toString(), m, parts.getFirst().pos());
    }
}
