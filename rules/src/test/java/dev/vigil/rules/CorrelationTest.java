package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.NOW;
import static dev.vigil.rules.Fixtures.diags;
import static dev.vigil.rules.Fixtures.ev;
import static dev.vigil.rules.Fixtures.load;
import static dev.vigil.rules.Fixtures.proc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.CorrelationSet;
import dev.vigil.rules.engine.AlertSink;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.output.Alert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Correlation items (event_count, value_count, sequence) by replaying events: pure Java, no kernel. */
class CorrelationTest {
    static final long MS = 1_000_000L, S = 1_000_000_000L;

    static final String SCAN = """
            - correlation: Outbound Port Scan
              desc: one process tries many distinct remote ports of one host
              type: value_count
              condition: evt.type=connect and evt.dir=< and fd.typechar=4
              group_by: [proc.pid, fd.sip]
              distinct: [fd.sport]
              window: 10s
              threshold: {gte: 20}
              output: Port scan (dest=%fd.sip ports=%corr.count sample=%corr.values proc=%proc.exepath pid=%proc.pid)
              priority: WARNING
              tags: [network, scan]
            """;

    static final String DROP_EXEC = """
            - macro: open_write
              condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true and fd.typechar='f' and fd.num>=0)
            - correlation: Download Then Execute
              type: sequence
              window: 120s
              steps:
                - name: dropped
                  condition: open_write and proc.name in (curl, wget) and fd.typechar='f'
                - name: run
                  condition: evt.type=execve and evt.dir=<
              aliases: {file: {dropped: fd.name, run: proc.exepath}}
              group_by: [file]
              output: Downloaded file executed (file=%run.proc.exepath by=%dropped.proc.cmdline)
              priority: CRITICAL
            """;

    /** Collects correlation alerts (and counts rule matches). */
    static final class Collect implements AlertSink {
        final List<Alert> alerts = new ArrayList<>();
        int ruleMatches;

        @Override public void onMatch(CompiledRule rule, EventView event) { ruleMatches++; }

        @Override public void onCorrelation(Correlation c, Alert a, EventView e) { alerts.add(a); }

        List<String> outputs() { return alerts.stream().map(Alert::output).toList(); }
    }

    static Event connect(long t, int pid, String dst, int port) {
        return ev(EventType.CONNECT, proc("nmap").pid(pid).exePath("/usr/bin/nmap")).timestamp(t).res(-115)
                .fd(Fd.tcp4(3, "10.0.0.1", 40000 + port % 20000, dst, port)).build();
    }

    static Collect replay(RuleSet rs, List<Event> events) {
        Collect c = new Collect();
        for (Event e : events) rs.evaluate(e, c);
        return c;
    }

    static List<Event> scan(long start, int pid, String dst, int firstPort, int ports, long gapNanos) {
        List<Event> l = new ArrayList<>();
        for (int i = 0; i < ports; i++) l.add(connect(start + i * gapNanos, pid, dst, firstPort + i));
        return l;
    }

    @Nested
    class ValueCount {
        @Test
        void twentyDistinctPortsWithinTheWindowRaiseOneAlertAtTheTwentieth() {
            RuleSet rs = load(SCAN);
            Collect c = replay(rs, scan(NOW, 2000, "10.0.0.5", 1000, 20, 100 * MS));
            assertThat(c.alerts).hasSize(1);
            Alert a = c.alerts.getFirst();
            assertThat(a.rule()).isEqualTo("Outbound Port Scan");
            assertThat(a.timeNanos()).isEqualTo(NOW + 19 * 100 * MS);
            assertThat(a.output()).contains("Port scan (dest=10.0.0.5 ports=20 sample=1000,1001,1002,1003,1004,1005,1006,1007,1008,1009 "
                    + "proc=/usr/bin/nmap pid=2000)");
            assertThat(a.outputFields()).containsEntry("corr.count", 20L).containsEntry("fd.sip", "10.0.0.5");
            assertThat(a.tags()).containsExactly("network", "scan");
        }

        @Test
        void nineteenPortsOrManyConnectionsToOnePortStaySilent() {
            RuleSet rs = load(SCAN);
            assertThat(replay(rs, scan(NOW, 2000, "10.0.0.5", 1000, 19, 100 * MS)).alerts).isEmpty();
            List<Event> browser = new ArrayList<>();
            for (int i = 0; i < 200; i++) browser.add(connect(NOW + i * MS, 3000, "10.0.0.6", 443));
            assertThat(replay(load(SCAN), browser).alerts).isEmpty();
        }

        @Test
        void keysAreSeparateAndTheWindowSlides() {
            RuleSet rs = load(SCAN);
            List<Event> l = new ArrayList<>();
            // 10 ports each to two hosts, and 10 from another process: no key reaches 20
            l.addAll(scan(NOW, 2000, "10.0.0.5", 1000, 10, MS));
            l.addAll(scan(NOW, 2000, "10.0.0.6", 1000, 10, MS));
            l.addAll(scan(NOW, 2001, "10.0.0.5", 2000, 10, MS));
            // 19 ports 600 ms apart span 10.8 s: never 20 within 10 s
            l.addAll(scan(NOW + 20 * S, 2002, "10.0.0.7", 1000, 40, 600 * MS));
            assertThat(replay(rs, l).alerts).isEmpty();
            // at 400 ms apart, 20 fit in 7.6 s
            assertThat(replay(rs, scan(NOW + 60 * S, 2003, "10.0.0.7", 1000, 20, 400 * MS)).alerts).hasSize(1);
        }

        @Test
        void oneAlertPerKeyPerWindowThenTheRepeatsAreCounted() {
            RuleSet rs = load(SCAN);
            List<Event> l = new ArrayList<>(scan(NOW, 2000, "10.0.0.5", 1000, 50, 10 * MS)); // 1 alert, 30 suppressed
            l.addAll(scan(NOW + 11 * S, 2000, "10.0.0.5", 3000, 20, 10 * MS));               // a new window: alert 2
            Collect c = replay(rs, l);
            assertThat(c.alerts).hasSize(2);
            assertThat(c.alerts.get(1).output()).endsWith("(30 repeats suppressed)");
            assertThat(c.alerts.get(1).outputFields()).containsEntry("corr.suppressed", 30L);
            CorrelationSet.Stats st = rs.correlations().stats().getFirst();
            assertThat(st.alerts()).isEqualTo(2);
            assertThat(st.suppressed()).isEqualTo(30);
            assertThat(st.keys()).isEqualTo(1);
        }

        /** The key table starts small and grows: keys and their windows survive each doubling, in LRU order. */
        @Test
        void keysKeepTheirWindowsAsTheKeyTableGrows() {
            RuleSet rs = load(SCAN.replace("priority: WARNING", "priority: WARNING\n  max_keys: 1000"));
            List<Event> l = new ArrayList<>();
            for (int port = 0; port < 20; port++) {
                for (int h = 0; h < 300; h++) l.add(connect(NOW + (port * 300 + h) * 1000L, 2000, "10.1." + h / 250 + "." + h % 250, 1000 + port));
            }
            Collect c = replay(rs, l);
            assertThat(c.alerts).hasSize(300); // every host's 20th port, none lost to a regrown table
            CorrelationSet.Stats st = rs.correlations().stats().getFirst();
            assertThat(st.keys()).isEqualTo(300);
            assertThat(st.evictions()).isZero();
        }

        @Test
        void keysBeyondMaxKeysEvictTheLeastRecentlyUsedAndAreCounted() {
            RuleSet rs = load(SCAN.replace("priority: WARNING", "priority: WARNING\n  max_keys: 2"));
            List<Event> l = new ArrayList<>();
            for (int i = 0; i < 19; i++) {
                l.add(connect(NOW + i * MS, 2000, "10.0.0.5", 1000 + i));
                l.add(connect(NOW + i * MS, 2000, "10.0.0.6", 1000 + i));
                l.add(connect(NOW + i * MS, 2000, "10.0.0.7", 1000 + i)); // three keys in two places: always evicting
            }
            Collect c = replay(rs, l);
            assertThat(c.alerts).isEmpty();
            CorrelationSet.Stats st = rs.correlations().stats().getFirst();
            assertThat(st.keys()).isEqualTo(2);
            assertThat(st.maxKeys()).isEqualTo(2);
            assertThat(st.evictions()).isEqualTo(19 * 3 - 2);
        }
    }

    @Nested
    class EventCount {
        static final String BURST = """
                - correlation: Connection Burst
                  type: event_count
                  condition: evt.type=connect and fd.typechar=4
                  group_by: [proc.pid]
                  window: 1s
                  threshold: {gt: 4}
                  output: burst (n=%corr.count window=%corr.window proc=%proc.name)
                  priority: NOTICE
                """;

        @Test
        void countsEventsInTheSlidingWindow() {
            RuleSet rs = load(BURST);
            // 4 in a second: silent; the fifth 1.2 s after the first: the window holds 4
            List<Event> l = new ArrayList<>(scan(NOW, 2000, "10.0.0.5", 80, 4, 100 * MS));
            l.add(connect(NOW + 1200 * MS, 2000, "10.0.0.5", 80));
            assertThat(replay(rs, l).alerts).isEmpty();
            Collect c = replay(rs, scan(NOW + 10 * S, 2000, "10.0.0.5", 80, 5, 100 * MS));
            assertThat(c.outputs()).singleElement().asString().endsWith("burst (n=5 window=1s proc=nmap)");
        }

        @Test
        void aLargeThresholdGrowsItsWindowAsTheCountGrows() {
            RuleSet rs = load(BURST.replace("{gt: 4}", "{gte: 100}"));
            // 99 within the second, then one every 20 ms: the window holds 50 from then on, never 100 again
            List<Event> l = new ArrayList<>(scan(NOW, 2000, "10.0.0.5", 80, 99, 10 * MS));
            l.addAll(scan(NOW + 2 * S, 2000, "10.0.0.5", 80, 200, 20 * MS));
            assertThat(replay(rs, l).alerts).isEmpty();
            // 100 within 990 ms, after the slow ones: alert at the hundredth
            Collect c = replay(rs, scan(NOW + 10 * S, 2000, "10.0.0.5", 80, 100, 10 * MS));
            assertThat(c.alerts).singleElement().extracting(Alert::timeNanos).isEqualTo(NOW + 10 * S + 99 * 10 * MS);
        }
    }

    @Nested
    class Sequence {
        static Event drop(long t, String path) {
            return ev(EventType.OPENAT, proc("curl", "curl", "-o", path, "http://127.0.0.1/tool").exePath("/usr/bin/curl"))
                    .timestamp(t).arg("name", path).flags("flags", "O_WRONLY", "O_CREAT").fd(Fd.file(3, path)).build();
        }

        static Event exec(long t, String exe) {
            return ev(EventType.EXECVE, proc("tool").pid(2100).exePath(exe)).timestamp(t).build();
        }

        @Test
        void stepsInOrderOnTheJoinedKeyAlertWithEveryStepsFields() {
            RuleSet rs = load(DROP_EXEC);
            Collect c = replay(rs, List.of(drop(NOW, "/tmp/tool"), exec(NOW + 2 * S, "/usr/bin/ls"), exec(NOW + 3 * S, "/tmp/tool")));
            assertThat(c.outputs()).singleElement().asString()
                    .endsWith("Downloaded file executed (file=/tmp/tool by=curl -o /tmp/tool http://127.0.0.1/tool)");
            assertThat(c.alerts.getFirst().outputFields())
                    .containsEntry("run.proc.exepath", "/tmp/tool")
                    .containsEntry("dropped.proc.cmdline", "curl -o /tmp/tool http://127.0.0.1/tool");
        }

        @Test
        void wrongOrderOtherFileOrOutsideTheWindowStaySilent() {
            assertThat(replay(load(DROP_EXEC), List.of(exec(NOW, "/tmp/tool"), drop(NOW + S, "/tmp/tool"))).alerts).isEmpty();
            assertThat(replay(load(DROP_EXEC), List.of(drop(NOW, "/tmp/tool"), exec(NOW + S, "/tmp/other"))).alerts).isEmpty();
            assertThat(replay(load(DROP_EXEC), List.of(drop(NOW, "/tmp/tool"), exec(NOW + 121 * S, "/tmp/tool"))).alerts).isEmpty();
        }

        @Test
        void exceptionsApplyToEveryStep() {
            String yaml = DROP_EXEC.replace("  priority: CRITICAL", """
                      priority: CRITICAL
                      exceptions:
                        - name: build_tools
                          fields: [fd.directory]
                          values: [[/tmp/build]]
                    """.stripTrailing());
            RuleSet rs = load(yaml);
            assertThat(replay(rs, List.of(drop(NOW, "/tmp/build/tool"), exec(NOW + S, "/tmp/build/tool"))).alerts).isEmpty();
            assertThat(replay(rs, List.of(drop(NOW, "/tmp/tool"), exec(NOW + S, "/tmp/tool"))).alerts).hasSize(1);
        }

        @Test
        void appendedExceptionValuesJoinTheExistingException() {
            // as for rules: an override that appends an exception of the same name adds its values to it
            String yaml = DROP_EXEC.replace("  priority: CRITICAL", """
                      priority: CRITICAL
                      exceptions:
                        - name: build_tools
                          fields: [fd.directory]
                          values: [[/tmp/build]]
                    """.stripTrailing());
            RuleSet rs = load(yaml, """
                    - correlation: Download Then Execute
                      exceptions:
                        - name: build_tools
                          values: [[/tmp/ci]]
                      override: {exceptions: append}
                    """);
            assertThat(replay(rs, List.of(drop(NOW, "/tmp/ci/tool"), exec(NOW + S, "/tmp/ci/tool"))).alerts).isEmpty();
            assertThat(replay(rs, List.of(drop(NOW, "/tmp/build/tool"), exec(NOW + S, "/tmp/build/tool"))).alerts).isEmpty();
            assertThat(replay(rs, List.of(drop(NOW, "/tmp/tool"), exec(NOW + S, "/tmp/tool"))).alerts).hasSize(1);
        }

        @Test
        void stepTypesJoinTheIndexAndTheRequiredTypes() {
            RuleSet rs = load(DROP_EXEC);
            assertThat(rs.requiredEventTypes()).contains(EventType.OPENAT, EventType.OPEN, EventType.EXECVE);
            assertThat(rs.correlations().correlation("Download Then Execute").eventTypes()).contains(EventType.EXECVE);
        }
    }

    @Nested
    class Items {
        @Test
        void selectorsOverridesAndEnabledApply() {
            RuleSet rs = load(SCAN);
            assertThat(rs.disableTag("scan").correlations().isEnabled("Outbound Port Scan")).isFalse();
            assertThat(replay(rs.disable("Outbound*"), scan(NOW, 2000, "10.0.0.5", 1000, 20, MS)).alerts).isEmpty();
            RuleSet off = load(SCAN, "- correlation: Outbound Port Scan\n  enabled: false\n");
            assertThat(off.correlations().isEnabled("Outbound Port Scan")).isFalse();
            assertThat(off.requiredEventTypes()).doesNotContain(EventType.CONNECT);
            RuleSet wider = load(SCAN, """
                    - correlation: Outbound Port Scan
                      threshold: {gte: 5}
                      override: {threshold: replace}
                    """);
            assertThat(replay(wider, scan(NOW, 2000, "10.0.0.5", 1000, 5, MS)).alerts).hasSize(1);
        }

        @Test
        void replayIsDeterministicOnTimestamps() {
            List<Event> l = new ArrayList<>();
            for (int k = 0; k < 5; k++) l.addAll(scan(NOW + k * 3 * S, 2000 + k % 2, "10.0.0." + k, 1000, 25, 37 * MS));
            l.add(Sequence.drop(NOW + 20 * S, "/tmp/tool"));
            l.add(Sequence.exec(NOW + 21 * S, "/tmp/tool"));
            List<String> first = replay(load(SCAN + DROP_EXEC), l).alerts.stream().map(Alert::toJson).toList();
            List<String> second = replay(load(SCAN + DROP_EXEC), l).alerts.stream().map(Alert::toJson).toList();
            assertThat(first).hasSize(6).isEqualTo(second);
        }
    }

    @Nested
    class BadItems {
        @Test
        void eachProblemIsOnePositionedError() {
            assertThat(diags(SCAN.replace("type: value_count", "type: value_cnt")))
                    .contains("f1.yaml:3:9: unknown correlation type 'value_cnt' (expected event_count, value_count or sequence)");
            assertThat(diags(SCAN.replace("  window: 10s\n", "")))
                    .contains("f1.yaml:1:16: correlation 'Outbound Port Scan' has no 'window' (how long its events may span, such as 10s)");
            assertThat(diags(SCAN.replace("window: 10s", "window: 2d")))
                    .contains("f1.yaml:7:11: invalid window '2d' (a whole number with ms, s, m or h, such as 10s)");
            assertThat(diags(SCAN.replace("window: 10s", "window: 2h")))
                    .contains("f1.yaml:7:11: window 2h is longer than the configured maximum 1h (correlation.max_window)");
            assertThat(diags(SCAN.replace("{gte: 20}", "{lt: 20}"))).anyMatch(s -> s.startsWith("f1.yaml:8:15: threshold comparison 'lt'"));
            assertThat(diags(DROP_EXEC.replace("group_by: [file]", "group_by: [path]")))
                    .contains("f1.yaml:12:14: group_by 'path' is neither an alias (aliases: file) nor a field");
            assertThat(diags(DROP_EXEC.replace("run: proc.exepath}", "exec: proc.exepath}")))
                    .anyMatch(s -> s.startsWith("f1.yaml:11:38: alias 'file' names step 'exec', which is not a step"));
            assertThat(diags(DROP_EXEC.replace("%dropped.proc.cmdline", "%dropped.proc.nosuch")))
                    .anyMatch(s -> s.startsWith("f1.yaml:13:") && s.contains("proc.nosuch"));
            assertThat(diags(SCAN.replace("%corr.count", "%corr.nope"))).anyMatch(s -> s.contains("unknown correlation field '%corr.nope'"));
            assertThat(diags(SCAN.replace("distinct: [fd.sport]", "distinct: [fd.port]"))).anyMatch(s -> s.contains("single-valued field"));
            assertThat(diags(DROP_EXEC.replace("run: proc.exepath", "run: proc.pid"))).anyMatch(s -> s.contains("joins fields of different kinds"));
            assertThat(diags(SCAN.replace("condition: evt.type=connect and", "condition: evt.type=connect and and")))
                    .anyMatch(s -> s.startsWith("f1.yaml:4:") && s.contains("in correlation 'Outbound Port Scan'"));
        }
    }
}
