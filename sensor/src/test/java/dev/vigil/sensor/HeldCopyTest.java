package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.FdView;
import dev.vigil.events.ProcessView;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A held event (the copy an event becomes when it must outlive its callback: while a new container is being
 * described, in tests, in captures) answers every method of the view interfaces as the live event did. Compared
 * by reflection over {@link ProcessView} and {@link FdView}, so a method added to a view and not copied fails here.
 */
class HeldCopyTest extends SharedSensorTest {
    final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    final Set<String> compared = ConcurrentHashMap.newKeySet();

    @Test
    void aHeldEventAnswersEveryViewMethodAsTheLiveOne() throws Exception {
        h.inspector = ev -> {
            Event held = ev.snapshot();
            compare(ev.process(), held.process(), ProcessView.class, "proc", 3);
            compare(ev.fd(), held.fd(), FdView.class, "fd", 0);
        };
        try {
            java.nio.file.Files.createDirectories(dir.resolve("held"));
            // a session leader with a terminal, an environment, a parent chain, files and sockets
            Process p = new ProcessBuilder("/usr/bin/script", "-qefc",
                    SensorHarness.helper() + " files " + dir.resolve("held") + "; " + SensorHarness.helper() + " net 4 " + dir,
                    "/dev/null").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            // the comparison runs on the reader thread, by reflection: on a loaded machine the reader lags
            h.await(e -> e.type() == EventType.PROCEXIT && e.process() != null && e.process().pid() == p.pid(), 120);
        } finally {
            h.inspector = null;
        }
        assertThat(mismatches).isEmpty();
        // the comparison reached what it should have: set fields of every kind
        assertThat(compared).contains("proc.env", "proc.sessionLeader.name", "proc.parent.parent.exePath", "proc.tty",
                "proc.vpgidLeader.exe", "fd.name", "fd.serverPort", "fd.directory");
    }

    private static final ClassValue<Method[]> METHODS = new ClassValue<>() {
        @Override protected Method[] computeValue(Class<?> c) { return c.getMethods(); }
    };

    private void compare(Object live, Object held, Class<?> view, String at, int depth) {
        if (live == null || held == null) {
            if (live != held) mismatches.add(at + ": live " + live + " held " + held);
            return;
        }
        for (Method m : METHODS.get(view)) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            String name = at + "." + m.getName();
            try {
                if (m.getParameterCount() == 1 && m.getName().equals("envEntry")) {
                    int n = ((ProcessView) live).envCount();
                    for (int i = 0; i < n; i++) same(name + "[" + i + "]", m.invoke(live, i), m.invoke(held, i));
                    continue;
                }
                if (m.getParameterCount() == 1 && m.getName().equals("fdByNum")) {
                    // held copies keep the standard three (proc.stdin/stdout/stderr)
                    for (long i = 0; i < 3; i++) compare(m.invoke(live, i), m.invoke(held, i), FdView.class, name + "[" + i + "]", 0);
                    continue;
                }
                if (m.getParameterCount() != 0) {
                    mismatches.add(name + ": a view method with arguments this test does not know");
                    continue;
                }
                Object a = m.invoke(live), b = m.invoke(held);
                if (m.getReturnType() == ProcessView.class) {
                    // leaders are held without relations of their own; the parent chain as deep as rules walk
                    boolean leader = !m.getName().equals("parent");
                    if (depth > 0) compare(a, b, view, name, leader ? 0 : depth - 1);
                    continue;
                }
                same(name, a, b);
            } catch (ReflectiveOperationException e) {
                mismatches.add(name + ": " + e);
            }
        }
    }

    private void same(String name, Object a, Object b) {
        Object x = a instanceof CharSequence c ? c.toString() : a, y = b instanceof CharSequence c ? c.toString() : b;
        if (!Objects.equals(x, y)) mismatches.add(name + ": live " + x + " held " + y);
        else if (x != null && !Objects.equals(x, -1L) && !Objects.equals(x, 0L) && !Objects.equals(x, false)
                && !Objects.equals(x, dev.vigil.events.EventView.ABSENT)) compared.add(name.replaceAll("\\[\\d+]$", ""));
    }
}
