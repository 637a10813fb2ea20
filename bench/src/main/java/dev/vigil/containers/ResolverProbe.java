package dev.vigil.containers;

/**
 * The bench's read-only window on a {@link CachingResolver}'s cache. It lives in the containers package (a
 * split package on the bench's class path) because the two probes it calls are package-private there and the
 * containers module is being changed by others: a public accessor belongs in containers/src/main, not here.
 * Neither probe touches the cache (no entry, no fetch), so measuring does not change what is measured.
 */
public final class ResolverProbe {
    private ResolverProbe() {}

    /** Wall clock (ns since the epoch) when the container's first complete view was cached, 0 if not yet. */
    public static long firstCompleteAt(ContainerResolver r, String fullId) {
        return ((CachingResolver) r).firstCompleteAt(fullId);
    }

    /** The cached view of a container, or null when the cache has no entry for it. */
    public static ContainerInfo cached(ContainerResolver r, String fullId) {
        return ((CachingResolver) r).cached(fullId);
    }
}
