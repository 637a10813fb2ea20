package dev.vigil.tools.stacks;

import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.tools.flamegraph.FoldedStacks;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * The three ways profile and offcputime show stacks: BCC's multi-line listing, folded lines (-f) and
 * the flame graph's input. Frames are named as BCC names them: {@code [unknown]} where no symbol covers
 * the address; in folded output with annotations (-a) kernel frames end {@code _[k]}, JIT frames {@code _[j]}.
 *
 * @param delimiter put "--" (listing) or "-" (folded) between the user and the kernel stack (-d)
 */
public record StackPrinter(boolean userStacks, boolean kernelStacks, boolean delimiter, boolean annotate) {

    /** BCC's listing of one sample: kernel frames, "--", user frames, then comm (pid) and the value. */
    public void list(Writer out, StackSample s) throws IOException {
        if (kernelStacks) {
            if (StackKey.missed(s.key().kernelStackId())) {
                out.write("    [Missed Kernel Stack]\n");
            }
            for (Symbolizer.Frame f : s.kernel()) {
                out.write("    " + f.nameOrUnknown() + "\n");
            }
        }
        if (userStacks) {
            if (kernelStacks && !s.kernel().isEmpty() && (!s.user().isEmpty() || StackKey.missed(s.key().userStackId()))) {
                out.write("    --\n");
            }
            if (StackKey.missed(s.key().userStackId())) {
                out.write("    [Missed User Stack]\n");
            }
            for (Symbolizer.Frame f : s.user()) {
                out.write("    " + f.nameOrUnknown() + "\n");
            }
        }
        out.write(String.format("    %-16s %s (%d)%n", "-", s.key().comm(), s.key().tgid()));
        out.write(String.format("        %d%n%n", s.value()));
    }

    /** The sample's frames root first: comm, user frames outermost first, then kernel frames. */
    public List<String> folded(StackSample s, boolean annotateForColor) {
        boolean marks = annotate || annotateForColor;
        List<String> frames = new ArrayList<>();
        frames.add(s.key().comm().replace(';', ':'));
        if (userStacks) {
            if (StackKey.missed(s.key().userStackId())) {
                frames.add("[Missed User Stack]");
            }
            for (Symbolizer.Frame f : s.user().reversed()) {
                frames.add(name(f, marks && "[jit]".equals(f.module()) ? "_[j]" : ""));
            }
        }
        if (kernelStacks) {
            if (delimiter && userStacks && !s.user().isEmpty() && !s.kernel().isEmpty()) {
                frames.add("-");
            }
            if (StackKey.missed(s.key().kernelStackId())) {
                frames.add("[Missed Kernel Stack]");
            }
            for (Symbolizer.Frame f : s.kernel().reversed()) {
                frames.add(name(f, marks ? "_[k]" : ""));
            }
        }
        return frames;
    }

    /** Folded output: one line per sample ({@code comm;frame;...;frame value}). */
    public void writeFolded(Writer out, List<StackSample> samples) throws IOException {
        for (StackSample s : samples) {
            out.write(String.join(";", folded(s, false)) + " " + s.value() + "\n");
        }
    }

    /** The samples as a flame graph's input (frames annotated so the graph can color kernel and JIT code). */
    public FoldedStacks toFoldedStacks(List<StackSample> samples) {
        FoldedStacks stacks = new FoldedStacks();
        for (StackSample s : samples) {
            stacks.add(folded(s, true), s.value());
        }
        return stacks;
    }

    private static String name(Symbolizer.Frame f, String suffix) {
        return f.nameOrUnknown().replace(';', ':') + suffix;
    }
}
