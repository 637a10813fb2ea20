package dev.vigil.cli;

import dev.vigil.ebpf.internal.LibBpfLog;
import dev.vigil.ebpf.ringbuf.RecordHandler;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.LostEvents;
import dev.vigil.tools.ToolOutput;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * How a tool command runs: libbpf's log per -v, Ctrl-C and SIGTERM stop it (drain, detach, exit 0),
 * buffered stdout flushed after each batch, losses reported as they happen and {@code Lost N events}
 * on exit, and a closed stdout (piped into head) ends it quietly, as the C tools do.
 */
final class ToolSession {
    private final FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
    /** The tool's stdout as characters, buffered: flushed after every batch. */
    final Writer out = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), 1 << 16);
    private ToolOutput output;
    private LostEvents lost;
    private volatile BpfTool current;
    private volatile boolean stopRequested;

    private ToolSession() {}

    /** Before the tool starts: a signal during load or attach must stop it too, not kill the JVM (143). */
    static ToolSession begin(ToolOptions options) {
        LibBpfLog.setVerbose(options.verbose ? System.err : null);
        ToolSession s = new ToolSession();
        Signals.onTerminate(s::requestStop);
        return s;
    }

    private void requestStop() {
        stopRequested = true;
        BpfTool t = current;
        if (t != null) {
            t.stop();
        }
    }

    /** The tool's work once it is attached: returns when the tool was stopped (signal, -d, count). */
    interface Body {
        void run(BpfTool tool) throws Exception;
    }

    /** Runs the body on a started tool, then closes it; 0 on a clean stop. */
    int run(BpfTool started, Body body) throws Exception {
        try (BpfTool tool = started) {
            current = tool;
            if (stopRequested) {
                tool.stop();
            }
            lost = new LostEvents(tool.name(), tool::lost, System.err);
            try {
                body.run(tool);
                flush();
            } catch (UncheckedIOException e) {
                if (isClosedPipe(e.getCause())) {
                    return 0; // the reader went away (| head): the C tools end quietly too
                }
                // any other failed write (a full disk, EIO) loses what was not written: never quietly
                System.err.println("vigil " + tool.name() + ": cannot write the output: " + e.getCause().getMessage()
                        + " (events after this point were not printed)");
                lost.summary();
                return 2;
            }
            if (tool.bytesLeftInRing() > 0) {
                System.err.println("vigil " + tool.name() + ": " + tool.bytesLeftInRing()
                        + " bytes of records were still being written when the programs were detached, and are lost");
            }
            lost.summary();
        }
        return 0;
    }

    /** EPIPE: the JVM ignores SIGPIPE, so a closed pipe arrives as this IOException. */
    static boolean isClosedPipe(IOException e) {
        return e != null && e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    /** A ring-buffer tool: the header, then every record through the handler until stopped. */
    int stream(BpfTool started, Runnable header, RecordHandler handler) throws Exception {
        return run(started, tool -> {
            header.run();
            flush();
            tool.run(handler, this::afterBatch);
        });
    }

    /** Flushes stdout and reports new losses (at most once a second). */
    void afterBatch() {
        flush();
        lost.check();
    }

    /** The tool's stdout as columns or JSON lines (use this or {@link #out}, not both). */
    ToolOutput output(boolean json) {
        output = new ToolOutput(stdout, json);
        return output;
    }

    void flush() {
        if (output != null) {
            output.flush();
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
