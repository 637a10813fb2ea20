package dev.vigil.rules.fields;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The domain names written in conditions on {@code fd.*ip.name} fields, resolved to addresses (as Falco's DNS
 * manager does: a rule names "kubernetes.default.svc.cluster.local", the kernel reports an IP). Each name is resolved
 * when the rule is compiled (waiting at most a second for the answer) and then again every {@link #REFRESH_SECONDS}
 * on a daemon thread, through the system's resolver ({@link SystemResolver}: /etc/hosts, then DNS, never a cached
 * failure); the hot path only reads the last answer. A name that does not resolve matches no address until it does.
 */
public final class DomainNames {
    public static final int REFRESH_SECONDS = 10;
    private static final int FIRST_WAIT_MS = 1000;
    private static final DomainNames SHARED = new DomainNames();

    private final CopyOnWriteArrayList<Name> names = new CopyOnWriteArrayList<>();
    private Thread refresher;

    /** One watched name and its addresses (pairs hi, lo), replaced whole on refresh. */
    static final class Name {
        final String name;
        volatile long[] addrs = new long[0];

        Name(String name) { this.name = name; }

        boolean has(long hi, long lo) {
            long[] a = addrs;
            return SystemResolver.hasPair(a, a.length, hi, lo);
        }

        void resolve() { addrs = SystemResolver.resolve(name); }
    }

    public static DomainNames shared() { return SHARED; }

    /** The watched entry for a name (added and resolved now if new). */
    synchronized Name watch(String name) {
        String n = name.strip().toLowerCase(java.util.Locale.ROOT);
        Name x = null;
        for (Name y : names) if (y.name.equals(n)) x = y;
        boolean known = x != null;
        if (!known) x = new Name(n);
        // resolved before the rule is used (again when rules are loaded again: a reload, another agent in this JVM),
        // unless the resolver is slow (no DNS server answering): then the answer lands when it comes, and rules start anyway
        // a platform thread: getaddrinfo blocks in native code, which would hold a virtual thread's carrier
        Thread first = Thread.ofPlatform().daemon().name("vigil-dns-first").start(x::resolve);
        try {
            first.join(java.time.Duration.ofMillis(FIRST_WAIT_MS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (known) return x;
        names.add(x);
        if (refresher == null) {
            refresher = Thread.ofPlatform().daemon().name("vigil-dns-refresh").start(this::refreshLoop);
        }
        return x;
    }

    /** Resolves every watched name again now (the refresher does this every {@link #REFRESH_SECONDS}). */
    public void refresh() {
        for (Name x : names) x.resolve();
    }

    private void refreshLoop() {
        while (true) {
            try {
                TimeUnit.SECONDS.sleep(REFRESH_SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            refresh();
        }
    }

    /** A watched name one of whose addresses is this one, or null (for the field's printed value). */
    String nameOf(long hi, long lo) {
        for (Name x : names) if (x.has(hi, lo)) return x.name;
        return null;
    }

    /** The compiled form of {@code fd.sip.name in (a, b)}: whether an address is one of the names' addresses. */
    public static final class Match {
        private final Name[] names;

        Match(Name[] names) { this.names = names; }

        public boolean test(long hi, long lo) {
            for (Name n : names) if (n.has(hi, lo)) return true;
            return false;
        }

        /** Whether a name given with the address (by its producer) is one of these. */
        public boolean named(CharSequence given) {
            if (given == null) return false;
            for (Name n : names) if (n.name.contentEquals(given.toString().toLowerCase(java.util.Locale.ROOT))) return true;
            return false;
        }
    }

    /** A match over these names (watched from now on). */
    public Match match(List<String> names) {
        Name[] ns = new Name[names.size()];
        for (int i = 0; i < ns.length; i++) ns[i] = watch(names.get(i));
        return new Match(ns);
    }
}
