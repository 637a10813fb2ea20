package dev.vigil.agent;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.agent.output.UnixDatagram;
import dev.vigil.rules.Priority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Vigil's own log lines (not alerts), as Falco's log_level, log_stderr and log_syslog say: lines at or above
 * log_level go to stderr (log_stderr) and to the local syslog socket, facility daemon (log_syslog).
 */
public final class AgentLog {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final int FACILITY_DAEMON = 3;
    private final PrintStream stderr;
    private final Priority level;
    private final Path syslogSocket;
    private UnixDatagram syslog;
    private boolean syslogFailed;

    AgentLog(PrintStream stderr, Priority level, Path syslogSocket) {
        this.stderr = stderr;
        this.level = level;
        this.syslogSocket = syslogSocket;
    }

    static AgentLog of(AgentConfig config, PrintStream stderr) {
        return new AgentLog(config.bool("log_stderr") ? stderr : null, Priority.parse(config.string("log_level")),
                config.bool("log_syslog") ? Path.of(config.string("syslog_output.socket")) : null);
    }

    public boolean enabled(Priority p) { return p.ordinal() <= level.ordinal(); }

    /** One line ("vigil: " is added when missing). */
    public synchronized void log(Priority p, String line) {
        if (!enabled(p)) return;
        String text = line.startsWith("vigil") ? line : "vigil: " + line;
        if (stderr != null) stderr.println(text);
        if (syslogSocket != null && !syslogFailed) {
            try {
                if (syslog == null) syslog = UnixDatagram.connect(syslogSocket);
                int pri = FACILITY_DAEMON * 8 + p.ordinal();
                syslog.send(("<" + pri + ">" + TS.format(ZonedDateTime.now()) + " vigil[" + ProcessHandle.current().pid()
                        + "]: " + text).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                syslogFailed = true; // said once on stderr, then not tried again
                if (stderr != null) stderr.println("vigil: log_syslog: " + syslogSocket + ": " + e.getMessage());
            }
        }
    }

    /** A PrintStream whose lines are logged at {@code p} (for code that reports to a stream). */
    public PrintStream stream(Priority p) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                if (b == '\n') {
                    log(p, line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8);
    }

    synchronized void close() {
        if (syslog != null) syslog.close();
        syslog = null;
    }
}
