package dev.vigil.agent.output;

import dev.vigil.agent.alert.AlertSink;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.events.EventView;
import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured outputs as one {@link AlertSink}: each alert is rendered once per output in that output's format
 * (text or JSON per json_output; HTTP always JSON; syslog with its header) and queued; never blocks.
 */
public final class OutputSet implements AlertSink {
    private final List<Output> outputs;
    private final boolean json;

    private OutputSet(List<Output> outputs, boolean json) {
        this.outputs = List.copyOf(outputs);
        this.json = json;
    }

    /**
     * The outputs the configuration enables, not yet started. A destination that cannot be used (a file that
     * cannot be opened for append, an empty program) throws {@link IllegalArgumentException} naming the output.
     */
    public static OutputSet fromConfig(AgentConfig config) {
        int capacity = config.integer("outputs_queue.capacity");
        List<Output> outputs = new ArrayList<>();
        if (config.bool("file_output.enabled")) {
            FileOutput f = new FileOutput(Path.of(config.string("file_output.filename")), capacity);
            try {
                f.checkWritable();
            } catch (IOException e) {
                throw new IllegalArgumentException("file_output: cannot open " + f.path() + " for append: " + reason(e));
            }
            outputs.add(f);
        }
        if (config.bool("stdout_output.enabled")) outputs.add(new StdoutOutput(capacity));
        if (config.bool("program_output.enabled")) {
            if (config.string("program_output.program").isBlank()) {
                throw new IllegalArgumentException("program_output: program_output.program is empty");
            }
            outputs.add(new ProgramOutput(config.string("program_output.program"), capacity));
        }
        if (config.bool("syslog_output.enabled")) {
            outputs.add(new SyslogOutput(Path.of(config.string("syslog_output.socket")), capacity));
        }
        if (config.bool("http_output.enabled")) {
            // HTTP sinks take JSON: the alert goes as Falco's JSON whatever json_output says
            String spool = config.string("http_output.spool_dir");
            outputs.add(new HttpOutput(config.string("http_output.url"), config.string("http_output.user_agent"),
                    Duration.ofMillis(config.integer("http_output.timeout_ms")), capacity,
                    spool.isBlank() ? null : Path.of(spool), config.integer("http_output.spool_max_bytes"),
                    new HttpOutput.Falco(new HttpTls(config.bool("http_output.insecure"), config.string("http_output.ca_cert"),
                            config.string("http_output.ca_bundle"), config.string("http_output.ca_path"),
                            config.bool("http_output.mtls"), config.string("http_output.client_cert"),
                            config.string("http_output.client_key")),
                            config.bool("http_output.compress_uploads"), config.bool("http_output.echo"),
                            config.integer("http_output.max_consecutive_timeouts"), config.bool("http_output.keep_alive"))));
        }
        boolean buffered = config.bool("buffered_outputs");
        for (Output o : outputs) {
            boolean keepAlive = switch (o.name()) {
                case "file" -> config.bool("file_output.keep_alive");
                case "program" -> config.bool("program_output.keep_alive");
                default -> true;
            };
            o.configure(buffered, keepAlive);
        }
        JsonShape shape = JsonShape.of(config);
        for (Output o : outputs) o.shape(shape);
        return new OutputSet(outputs, config.bool("json_output"));
    }

    /** Outputs given directly (tests, replay), in the given format. */
    public static OutputSet of(List<Output> outputs, boolean json) {
        return new OutputSet(outputs, json);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such directory";
        return m == null ? e.toString() : m;
    }

    public OutputSet start() {
        for (Output o : outputs) o.start();
        return this;
    }

    @Override
    public void accept(Alert alert, String text, EventView event) {
        for (Output o : outputs) o.offer(o.render(alert, text, json));
    }

    public List<Output> outputs() { return outputs; }

    /** Reopens file outputs (SIGUSR1). */
    public void reopen() {
        for (Output o : outputs) o.reopen();
    }

    /**
     * Flushes and closes every output within {@code timeoutMs} in all, saying on {@code log} what could not be
     * written and what stays spooled.
     */
    public void flushAndClose(long timeoutMs, PrintStream log) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (Output o : outputs) {
            if (!o.flushAndClose(Math.max(1, deadline - System.currentTimeMillis())) && log != null) {
                log.println("vigil: output " + o.name() + " did not flush within " + timeoutMs + " ms; " + o.dropped()
                        + " alerts lost");
            }
            if (o instanceof HttpOutput h) {
                h.stopSpool();
                if (h.spooledBytes() > 0 && log != null) {
                    log.println("vigil: http output: " + h.spooledBytes() + " bytes of alerts stay spooled for the next start");
                }
            }
        }
    }
}
