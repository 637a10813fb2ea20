package dev.vigil.rules.engine;

import dev.vigil.events.EventType;
import dev.vigil.rules.compile.KernelConditions;
import dev.vigil.rules.compile.Pred;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.fields.Extractor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Whether any alert of a rule set can depend on fd-table state that a successful open created (issue #17). If none
 * can, the kernel may drop every open no rule could match, successful ones included: the fd table then misses
 * those files, and nothing that reaches an alert would have read them.
 *
 * <p>What reads such state:
 * <ul>
 *   <li>{@code fd.types} and {@code proc.stdin/stdout/stderr.*}, on any event type (the whole table, or fds 0-2);</li>
 *   <li>any {@code fd.*} field (condition, output, correlation key, kept or distinct field) on an event type whose fd
 *       the sensor takes from the table ({@code tableReaders}: close, fchmod, ioctl, the generic event, ...);</li>
 *   <li>fchdir, when captured: the cwd it sets is the table's name of the fd;</li>
 *   <li>{@code fd.*} in fields appended to every output (append_output).</li>
 * </ul>
 * Two proofs let cases off, both resting on the kernel telling user space, in the record, whether the fd is a
 * socket (put_sock checks S_IFSOCK; the parser then never presents a stale socket for a non-socket fd):
 * <ul>
 *   <li>a socket call ({@link #SOCKET_CALLS}) on a non-socket fd fails with ENOTSOCK: a rule that cannot match such
 *       a call (its condition is false on ENOTSOCK, or requires a socket fd.type) needs only sockets' entries, which
 *       socket and accept records make whatever the prefilter does;</li>
 *   <li>a dup ({@link #DUPS}) of a non-socket copies no socket: a rule on dup that requires a socket fd.type (the
 *       reverse-shell rules) cannot match it.</li>
 * </ul>
 */
public record FdStateNeeds(boolean needed, List<String> reasons) {
    /** The socket calls: on an open fd that is not a socket they fail with ENOTSOCK. */
    public static final Set<EventType> SOCKET_CALLS = Collections.unmodifiableSet(EnumSet.of(EventType.CONNECT, EventType.BIND,
            EventType.LISTEN, EventType.SENDTO, EventType.RECVFROM, EventType.SENDMSG, EventType.RECVMSG));
    /** The dups, whose records say whether the copied fd is a socket. */
    public static final Set<EventType> DUPS = Collections.unmodifiableSet(EnumSet.of(EventType.DUP, EventType.DUP2, EventType.DUP3,
            EventType.FCNTL));
    private static final int ENOTSOCK = 88;

    public FdStateNeeds {
        reasons = List.copyOf(reasons);
    }

    /**
     * @param selected the event types captured
     * @param tableReaders the types whose fd the sensor takes from its fd table
     * @param extraOutput the text appended to outputs (append_output), or ""
     */
    public static FdStateNeeds of(RuleSet rs, Set<EventType> selected, Set<EventType> tableReaders, String extraOutput) {
        List<String> need = new ArrayList<>(), off = new ArrayList<>();
        if (selected.contains(EventType.FCHDIR)) need.add("fchdir is captured: the cwd it sets is the fd table's name of its fd");
        if (extraOutput != null && (readsTable(extraOutput) || extraOutput.contains("fd."))) {
            need.add("append_output names fd fields: " + extraOutput.strip());
        }
        for (EventType t : EventType.values()) {
            if (!selected.contains(t)) continue;
            for (CompiledRule r : rs.rulesFor(t)) {
                List<String> fields = new ArrayList<>();
                KernelConditions.fields(r.predicateFor(t.id()), fields::add);
                for (Extractor x : r.output().fields()) fields.add(x.name());
                judge("rule '" + r.name() + "'", t, r.predicateFor(t.id()), fields, tableReaders, need, off);
            }
            for (Correlation c : rs.correlations().enabled()) {
                for (Correlation.Step s : c.steps()) {
                    if (!s.eventTypes().contains(t)) continue;
                    List<String> fields = new ArrayList<>();
                    KernelConditions.fields(s.predicateFor(t.id()), fields::add);
                    for (Extractor x : s.keyFields()) fields.add(x.name());
                    for (Extractor x : s.keptFields()) fields.add(x.name());
                    for (Extractor x : c.distinctFields()) fields.add(x.name());
                    judge("correlation '" + c.name() + "'" + (s.name().isEmpty() ? "" : " step '" + s.name() + "'"), t, s.predicateFor(t.id()), fields, tableReaders, need, off);
                }
            }
        }
        List<String> reasons = new ArrayList<>();
        for (String s : need) reasons.add("needed: " + s);
        for (String s : off) reasons.add("not needed: " + s);
        if (need.isEmpty()) reasons.add("no alert can read fd state an open created: opens no rule matches are dropped, successful or not");
        return new FdStateNeeds(!need.isEmpty(), reasons);
    }

    private static void judge(String who, EventType t, Pred p, List<String> fields, Set<EventType> readers, List<String> need, List<String> off) {
        String table = null, fd = null;
        for (String f : fields) {
            if (f.equals("?") || readsTable(f)) table = table == null ? f : table;
            else if (f.contains("fd.")) fd = fd == null ? f : fd;
        }
        if (table != null) {
            need.add(who + " reads " + (table.equals("?") ? "a field this analysis does not know" : table) + " on " + t.falcoName());
            return;
        }
        if (fd == null || !readers.contains(t)) return;
        if (SOCKET_CALLS.contains(t) && KernelConditions.onNonSocket(p, ENOTSOCK) == KernelConditions.Tri.FALSE) {
            off.add(who + " reads " + fd + " on " + t.falcoName() + " but cannot match it on a non-socket fd (ENOTSOCK)");
            return;
        }
        if (DUPS.contains(t) && KernelConditions.onNonSocket(p, 0) == KernelConditions.Tri.FALSE) {
            off.add(who + " reads " + fd + " on " + t.falcoName() + " but requires a socket (a dup of a file copies none)");
            return;
        }
        need.add(who + " reads " + fd + " on " + t.falcoName() + ", whose fd comes from the fd table");
    }

    /** fd.types, fdlist.* (a poll's fd array) and the stdio fields read the table beyond the event's own fd. */
    private static boolean readsTable(String f) {
        return f.contains("fd.types") || f.contains("fdlist.") || f.contains("proc.stdin") || f.contains("proc.stdout")
                || f.contains("proc.stderr");
    }
}
