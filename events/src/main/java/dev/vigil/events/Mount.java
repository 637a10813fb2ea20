package dev.vigil.events;

/** One container mount, as Falco's {@code container.mount*} fields see it. */
public record Mount(String source, String dest, String mode, boolean readWrite, String propagation) {
}
