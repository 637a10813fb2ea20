/** Container identity (from cgroup paths) and metadata (from the container runtimes), for {@code container.*} fields. */
package dev.vigil.containers;
