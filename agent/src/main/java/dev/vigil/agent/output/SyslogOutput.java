package dev.vigil.agent.output;

import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Alerts to the local syslog socket, one datagram each, facility user, severity from the rule's priority (Falco's
 * priorities are syslog's severities): {@code <PRI>Mmm dd hh:mm:ss vigil[PID]: output}.
 */
public final class SyslogOutput extends Output {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final int FACILITY_USER = 1;
    private final Path socket;
    private final long pid = ProcessHandle.current().pid();

    public SyslogOutput(Path socket, int capacity) {
        super("syslog", capacity);
        this.socket = socket;
    }

    @Override
    public String render(Alert alert, String text, boolean jsonOutput) {
        int pri = FACILITY_USER * 8 + alert.priority().ordinal(); // EMERGENCY=0 .. DEBUG=7
        return "<" + pri + ">" + TS.format(ZonedDateTime.now()) + " vigil[" + pid + "]: "
                + (jsonOutput ? json(alert) : text);
    }

    @Override
    protected Writer open() throws IOException {
        UnixDatagram s = UnixDatagram.connect(socket);
        return new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] c, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    if (c[i] == '\n') {
                        String m = line.toString();
                        line.setLength(0);
                        s.send(m.getBytes(StandardCharsets.UTF_8));
                    } else {
                        line.append(c[i]);
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
