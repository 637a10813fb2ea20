/**
 * The sensor: kernel programs for security-relevant syscalls and process lifecycle, decoded into
 * {@code dev.vigil.events} views, with the process and fd tables that enrich them.
 */
package dev.vigil.sensor;
