package dev.vigil.containers;

import dev.vigil.events.Container;
import dev.vigil.events.ContainerView;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link ContainerResolver}: a cgroup table in front of a bounded container cache, fed by Docker's event
 * stream and by one asynchronous lookup per unknown container (virtual threads, at most
 * {@code maxConcurrentFetches} at a time), asked of the runtime its cgroup path names: Docker for docker
 * cgroups, the CRI sockets for containerd and CRI-O ones, the CRI sockets then Docker for Kubernetes' cgroupfs
 * layout (which does not say which runtime).
 */
final class CachingResolver implements ContainerResolver {
    private static final Logger LOG = System.getLogger("dev.vigil.containers");

    /** One container: its current view, and the bookkeeping of its fetches and its life. */
    static final class Entry {
        final ContainerId cid;
        volatile ContainerInfo view;
        /** Set when the view needs no fetch (the runtime answered, or said it has no such container). */
        volatile boolean settled;
        final AtomicBoolean fetching = new AtomicBoolean();
        volatile boolean refetch;
        volatile long retryAt;          // nanoTime before which a failed fetch is not repeated
        volatile long stoppedAt;        // nanoTime of the die/destroy event, 0 while running (or unknown)
        volatile boolean removed;
        boolean loose;                  // not in the cache (it was full): never tied to a cgroup
        long lastUsed;                  // racy: only a hint for eviction over the bound
        volatile long firstCompleteAt;  // wall clock (ns since the epoch) of the first complete view: measurement
        final long createdAt = System.nanoTime();

        Entry(ContainerId cid) {
            this.cid = cid;
            this.view = ContainerInfo.idOnly(cid);
        }
    }

    /** How long a "no such container" from the CRI is taken as "not yet", and how often it is asked again then. */
    static final long YOUNG_NANOS = 3_000_000_000L, YOUNG_RETRY_NANOS = 200_000_000L;

    private final ContainerResolver.Options opt;
    private final DockerApi docker;
    private final List<CriApi> cri;
    private final List<MetadataSource> dockerOnly, criOnly, criThenDocker;
    private final CgroupTable cgroups = new CgroupTable();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Semaphore fetchPermits;
    private final long graceNanos, retryNanos;
    private volatile boolean closed;
    private final Thread eventThread, janitor;
    private volatile UnixHttp.Stream stream;

    private final LongAdder fetches = new LongAdder(), ok = new LongAdder(), notFound = new LongAdder(),
            unavailable = new LongAdder(), timeouts = new LongAdder(), garbage = new LongAdder(),
            errors = new LongAdder(), events = new LongAdder(), connects = new LongAdder(),
            evicted = new LongAdder(), uncached = new LongAdder();
    private final Map<String, AtomicBoolean> logged = new ConcurrentHashMap<>();

    CachingResolver(ContainerResolver.Options opt) {
        this.opt = opt;
        this.docker = opt.dockerSocket() == null ? null : new DockerApi(opt.dockerSocket(), opt.requestTimeout().toNanos());
        this.cri = opt.criSockets().stream().map(p -> new CriApi(p, opt.requestTimeout().toNanos())).toList();
        this.dockerOnly = docker == null ? List.of() : List.of(docker);
        this.criOnly = List.copyOf(cri);
        List<MetadataSource> both = new ArrayList<>(cri);
        if (docker != null) both.add(docker);
        this.criThenDocker = List.copyOf(both);
        this.fetchPermits = new Semaphore(Math.max(1, opt.maxConcurrentFetches()));
        this.graceNanos = opt.grace().toNanos();
        this.retryNanos = opt.retryAfterFailure().toNanos();
        this.eventThread = docker != null && opt.watchEvents()
                ? Thread.ofVirtual().name("vigil-docker-events").start(this::eventLoop) : null;
        this.janitor = Thread.ofVirtual().name("vigil-containers-janitor").start(this::janitorLoop);
        if (!cri.isEmpty()) Thread.ofVirtual().name("vigil-cri-warm").start(this::warmFromCri);
    }

    // ---------------------------------------------------------------- hot path

    @Override
    public ContainerView resolve(long cgroupId, CharSequence cgroupPath) {
        Entry e;
        if (cgroupId != 0) {
            CgroupTable.Slot s = cgroups.get(cgroupId);
            if (s == null) s = miss(cgroupId, cgroupPath);
            e = s.entry();
        } else {
            ContainerId cid = ContainerId.parse(cgroupPath);
            e = cid == null ? null : entry(cid, true);
        }
        if (e == null) return Container.HOST;
        if (!e.settled) maybeFetch(e);
        return e.view;
    }

    private CgroupTable.Slot miss(long cgroupId, CharSequence path) {
        ContainerId cid = ContainerId.parse(path);
        Entry e = cid == null ? null : entry(cid, true);
        CgroupTable.Slot slot = new CgroupTable.Slot(cgroupId, e);
        // a loose entry (cache full) is not tied to the cgroup: asked again once the cache has room
        return e != null && e.loose ? slot : cgroups.put(slot);
    }

    /** The entry of a container, created when new (unless the cache is full: then a loose one, not kept). */
    private Entry entry(ContainerId cid, boolean use) {
        Entry e = entries.get(cid.fullId());
        if (e == null) {
            if (entries.size() >= 2L * opt.maxContainers()) {
                uncached.increment();
                e = new Entry(cid);
                e.settled = true; // not fetched: it could not be kept
                e.loose = true;
                return e;
            }
            e = entries.computeIfAbsent(cid.fullId(), k -> new Entry(cid));
        }
        if (use) e.lastUsed = System.nanoTime();
        return e;
    }

    @Override
    public boolean metadataPending(CharSequence fullId) {
        Entry e = entries.get(fullId.toString());
        if (e == null || e.settled || closed) return false;
        if (e.fetching.get()) return true;
        long now = System.nanoTime();
        return e.retryAt != 0 && now - e.retryAt < 0 && now - e.createdAt < YOUNG_NANOS;
    }

    // ---------------------------------------------------------------- fetches

    /** Who may describe a container of this runtime type, in the order asked (empty: nobody, ids only). */
    private List<MetadataSource> sources(String runtime) {
        return switch (runtime) {
            case ContainerId.DOCKER -> dockerOnly;
            case ContainerId.CONTAINERD, ContainerId.CRIO -> criOnly;
            case ContainerId.CRI -> criThenDocker;
            default -> List.of(); // podman: no source (yet)
        };
    }

    private void maybeFetch(Entry e) {
        if (closed || sources(e.cid.runtime()).isEmpty()) return;
        if (e.retryAt != 0 && System.nanoTime() - e.retryAt < 0) return;
        // a plain read first: hits on a container whose fetch is in flight must not each contend on the CAS
        if (e.fetching.get() || !e.fetching.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("vigil-container-inspect").start(() -> fetch(e));
    }

    /** Fetches now (or once the running fetch ends): the runtime said something changed. */
    private void refetch(Entry e) {
        if (closed || sources(e.cid.runtime()).isEmpty()) return;
        e.refetch = true;
        if (e.fetching.compareAndSet(false, true)) {
            Thread.ofVirtual().name("vigil-container-inspect").start(() -> fetch(e));
        }
    }

    private void fetch(Entry e) {
        try {
            do {
                e.refetch = false;
                fetchOnce(e);
            } while (e.refetch && !closed);
        } finally {
            e.fetching.set(false);
        }
        if (e.refetch && !closed && e.fetching.compareAndSet(false, true)) fetch(e);
    }

    private void fetchOnce(Entry e) {
        try {
            fetchPermits.acquire();
        } catch (InterruptedException ie) {
            return;
        }
        try {
            if (closed) return; // queued for a permit when the resolver closed: close() promised no more fetches
            fetches.increment();
            ContainerInfo info = lookup(e.cid);
            ContainerInfo old = e.view;
            // the start event may have carried the start time before a fetch made at create could see it
            if (info.startTs() == dev.vigil.events.EventView.ABSENT && old.startTs() != dev.vigil.events.EventView.ABSENT) {
                info = info.withStartTs(old.startTs());
            }
            e.view = info;
            if (e.firstCompleteAt == 0) {
                java.time.Instant now = java.time.Instant.now();
                e.firstCompleteAt = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            e.settled = true;
            e.retryAt = 0;
            ok.increment();
        } catch (DockerApi.NotFound nf) {
            notFound.increment();
            long now = System.nanoTime();
            if (!e.cid.runtime().equals(ContainerId.DOCKER) && now - e.createdAt < YOUNG_NANOS) {
                // the CRI registers a pod sandbox only once its process runs (and announces nothing): a container
                // seen this young may simply not be there yet, so ask again shortly rather than give up on it
                e.retryAt = now + YOUNG_RETRY_NANOS;
                return;
            }
            e.settled = true; // asked again only if the runtime announces it
            once("notfound " + e.cid.runtime(), Level.INFO, "no runtime asked (" + describe(sources(e.cid.runtime()))
                    + ") knows container " + e.cid.shortId() + " (seen in a " + e.cid.runtime()
                    + " cgroup); its fields stay <NA> (said once)");
        } catch (Failure f) {
            failed(f.source, f.cause, "inspect " + e.cid.shortId());
            e.retryAt = System.nanoTime() + retryNanos;
            if (e.retryAt == 0) e.retryAt = 1;
        } finally {
            fetchPermits.release();
        }
    }

    /** A lookup that no source answered, with the failure that counts (the first one that was not "absent"). */
    private static final class Failure extends Exception {
        final MetadataSource source;
        final Exception cause;

        Failure(MetadataSource source, Exception cause) {
            super(cause.getMessage(), null, false, false);
            this.source = source;
            this.cause = cause;
        }
    }

    /**
     * Asks the sources in order: the first that describes the container wins. A "no such container" from one
     * settles the container only when every other source also said so or has no socket at all (containerd and
     * CRI-O are seldom both installed); any other failure is retried later.
     */
    private ContainerInfo lookup(ContainerId cid) throws DockerApi.NotFound, Failure {
        DockerApi.NotFound notFound = null;
        Failure failure = null, absent = null;
        for (MetadataSource s : sources(cid.runtime())) {
            if (!s.present()) {
                if (absent == null) absent = new Failure(s, new UnixHttp.Unavailable("no socket at " + socketOf(s), null));
                continue;
            }
            try {
                return s.inspect(cid);
            } catch (DockerApi.NotFound nf) {
                notFound = nf;
            } catch (IOException | RuntimeException ex) {
                if (failure == null) failure = new Failure(s, ex);
            }
        }
        if (failure != null) throw failure;
        if (notFound != null) throw notFound;
        throw absent != null ? absent : new Failure(null, new UnixHttp.Unavailable("no runtime to ask", null));
    }

    private static Object socketOf(MetadataSource s) {
        return switch (s) {
            case DockerApi d -> d.http().socket();
            case CriApi c -> c.socket();
        };
    }

    private static String describe(List<MetadataSource> l) {
        return String.join(", ", l.stream().map(MetadataSource::describe).toList());
    }

    private void failed(Exception ex, String what) {
        failed(docker, ex, what);
    }

    private void failed(MetadataSource source, Exception ex, String what) {
        String kind;
        if (ex instanceof UnixHttp.Unavailable) { unavailable.increment(); kind = "unavailable"; }
        else if (ex instanceof UnixHttp.Timeout) { timeouts.increment(); kind = "timeout"; }
        else if (ex instanceof UnixHttp.Garbage) { garbage.increment(); kind = "garbage"; }
        else { errors.increment(); kind = "error"; }
        String from = source == null ? "no runtime" : source.describe();
        once(kind + " " + from, Level.WARNING, "container metadata from " + from + ": " + what + ": "
                + ex.getMessage() + "; container fields stay <NA> until it answers (further " + kind
                + " failures are counted, not logged)");
    }

    private void once(String kind, Level level, String msg) {
        if (logged.computeIfAbsent(kind, k -> new AtomicBoolean()).compareAndSet(false, true)) LOG.log(level, msg);
    }

    // ---------------------------------------------------------------- event stream

    private void eventLoop() {
        long backoff = 100_000_000L;
        while (!closed) {
            try (UnixHttp.Stream s = docker.http().stream(DockerApi.EVENTS_PATH)) {
                stream = s;
                if (closed) break;
                if (s.status() != 200) throw new IOException("events: HTTP " + s.status() + " " + UnixHttp.printable(s.readAll()));
                connects.increment();
                backoff = 100_000_000L;
                resync();
                s.readLines(this::onEventLine);
                if (!closed) errors.increment(); // the daemon ended the stream (restart?)
            } catch (IOException | RuntimeException ex) {
                if (closed) break;
                failed(ex, "event stream");
            } finally {
                stream = null;
            }
            if (closed) break;
            try {
                Thread.sleep(backoff / 1_000_000);
            } catch (InterruptedException ie) {
                break;
            }
            backoff = Math.min(backoff * 2, 5_000_000_000L);
        }
    }

    /**
     * At start: the containers the CRI runtimes already run, fetched before their next event (the CRI has no
     * event stream Vigil reads, so later containers are fetched at their first event). A runtime that does not
     * answer is skipped: its containers are fetched at first sight as usual.
     */
    private void warmFromCri() {
        for (CriApi c : cri) {
            // a few tries: the first call also connects (and loads the transport), slow on a busy machine
            for (int attempt = 1; attempt <= 3 && !closed && c.present(); attempt++) {
                try {
                    String rt = switch (c.runtimeName()) {
                        case "containerd" -> ContainerId.CONTAINERD;
                        case "cri-o" -> ContainerId.CRIO;
                        default -> ContainerId.CRI;
                    };
                    for (String id : c.runningContainers()) {
                        try {
                            Entry e = entry(ContainerId.of(rt, id), false);
                            if (!e.settled) maybeFetch(e);
                        } catch (IllegalArgumentException notHex) {
                            // not a 64-hex id: never seen in a cgroup path either
                        }
                    }
                    break;
                } catch (IOException | RuntimeException ex) {
                    failed(c, ex, "list running containers");
                    try {
                        Thread.sleep(1000L * attempt);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    /** On (re)connection: the running containers, so that those started before (or during a gap) are known. */
    private void resync() throws IOException {
        for (String id : docker.running()) {
            try {
                Entry e = entry(ContainerId.of(ContainerId.DOCKER, id), false);
                e.stoppedAt = 0;
                if (!e.settled) maybeFetch(e);
            } catch (IllegalArgumentException ignored) {
                // not a 64-hex id
            }
        }
    }

    private void onEventLine(String line) throws IOException {
        DockerApi.Event ev = DockerApi.parseEvent(line);
        if (ev == null) return;
        events.increment();
        ContainerId cid;
        try {
            cid = ContainerId.of(ContainerId.DOCKER, ev.id());
        } catch (IllegalArgumentException ex) {
            garbage.increment();
            return;
        }
        switch (ev.action()) {
            case "create" -> refetch(entry(cid, false));
            case "start" -> {
                Entry e = entry(cid, false);
                e.stoppedAt = 0;
                e.removed = false;
                if (ev.timeNano() != dev.vigil.events.EventView.ABSENT && e.view.complete()) {
                    e.view = e.view.withStartTs(ev.timeNano());
                }
                refetch(e);
            }
            case "die", "destroy" -> {
                Entry e = entries.get(cid.fullId());
                if (e != null && e.stoppedAt == 0) {
                    long now = System.nanoTime();
                    e.stoppedAt = now == 0 ? 1 : now;
                }
            }
            default -> { }
        }
    }

    // ---------------------------------------------------------------- forgetting

    private void janitorLoop() {
        long period = Math.max(10, Math.min(1000, opt.grace().toMillis() / 4));
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException ie) {
                return;
            }
            sweep();
        }
    }

    /** Forgets containers stopped longer than the grace period, and the oldest over the bound. */
    void sweep() {
        long now = System.nanoTime();
        boolean any = false;
        for (Entry e : entries.values()) {
            long st = e.stoppedAt;
            if (st != 0 && now - st > graceNanos) {
                any |= forget(e);
            }
        }
        int over = entries.size() - opt.maxContainers();
        if (over > 0) {
            List<Entry> all = new ArrayList<>(entries.values());
            // stopped ones first, then the least recently used
            all.sort(Comparator.<Entry>comparingInt(x -> x.stoppedAt != 0 ? 0 : 1).thenComparingLong(x -> x.lastUsed));
            for (int i = 0; i < over && i < all.size(); i++) any |= forget(all.get(i));
        }
        if (any || cgroups.size() > 16 * opt.maxContainers()) {
            boolean trim = cgroups.size() > 16 * opt.maxContainers();
            // host slots are cheap to rebuild: dropped only when the table grows past its bound
            cgroups.retain(s -> s.entry() == null ? !trim : !s.entry().removed);
        }
    }

    private boolean forget(Entry e) {
        if (entries.remove(e.cid.fullId(), e)) {
            e.removed = true;
            evicted.increment();
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- the rest

    /** The cached view of a container, without touching the cache (no fetch, no entry): for tests and probes. */
    long firstCompleteAt(String fullId) {
        Entry e = entries.get(fullId);
        return e == null ? 0 : e.firstCompleteAt;
    }

    ContainerInfo cached(String fullId) {
        Entry e = entries.get(fullId);
        return e == null ? null : e.view;
    }

    @Override
    public ContainerStats stats() {
        return new ContainerStats(fetches.sum(), ok.sum(), notFound.sum(), unavailable.sum(), timeouts.sum(),
                garbage.sum(), errors.sum(), events.sum(), connects.sum(), entries.size(), cgroups.size(),
                evicted.sum(), uncached.sum());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        UnixHttp.Stream s = stream;
        if (s != null) s.close();
        if (eventThread != null) eventThread.interrupt();
        janitor.interrupt();
        try {
            if (eventThread != null) eventThread.join(2000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        for (CriApi c : cri) c.close();
    }
}
