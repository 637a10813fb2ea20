package dev.vigil.rules.load;

import dev.vigil.rules.Diagnostic;
import dev.vigil.rules.SourcePos;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects diagnostics, dropping exact duplicates (a macro's error reported once per using rule). */
final class Diags {
    private final Set<Diagnostic> set = new LinkedHashSet<>();
    private final List<String> fileOrder = new ArrayList<>();

    /** Files in load order, so diagnostics list file by file in that order. */
    void fileOrder(List<String> names) { fileOrder.addAll(names); }

    void error(SourcePos p, String msg) { set.add(Diagnostic.error(p, msg)); }

    void warning(SourcePos p, String msg) { set.add(Diagnostic.warning(p, msg)); }

    boolean hasErrors() {
        for (Diagnostic d : set) if (d.isError()) return true;
        return false;
    }

    int errorCount() {
        int n = 0;
        for (Diagnostic d : set) if (d.isError()) n++;
        return n;
    }

    /** In file order (files as first seen), then line and column. */
    List<Diagnostic> list() {
        List<String> files = new ArrayList<>(fileOrder);
        for (Diagnostic x : set) if (!files.contains(x.file())) files.add(x.file());
        List<Diagnostic> l = new ArrayList<>(set);
        l.sort(java.util.Comparator.comparingInt((Diagnostic x) -> files.indexOf(x.file()))
                .thenComparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
        return l;
    }
}
