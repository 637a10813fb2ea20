package dev.vigil.containers;

/**
 * Counters of a {@link ContainerResolver}.
 *
 * @param fetches        container lookups sent to the runtimes (Docker inspect, CRI ContainerStatus)
 * @param fetchedOk      lookups answered with metadata
 * @param notFound       lookups the runtimes answered "no such container"
 * @param unavailable    lookups or stream connections that found no socket / were refused
 * @param timeouts       requests the runtime did not answer in time
 * @param garbage        answers that were not HTTP/gRPC or not the JSON/protobuf expected
 * @param errors         other failures (HTTP or gRPC errors, I/O errors)
 * @param events         container events read from the runtime's stream
 * @param streamConnects successful connections of the event stream
 * @param cached         containers in the cache now
 * @param cgroups        cgroup ids in the cgroup table now
 * @param evicted        containers forgotten (stopped past the grace period, or over the bound)
 * @param uncached       lookups answered without caching because the cache was full
 */
public record ContainerStats(long fetches, long fetchedOk, long notFound, long unavailable, long timeouts,
                             long garbage, long errors, long events, long streamConnects, long cached, long cgroups,
                             long evicted, long uncached) {
    /** All failures together. */
    public long failures() { return unavailable + timeouts + garbage + errors; }
}
