package dev.vigil.events;

/**
 * One event as the rules engine reads it. The sensor implements it as a flyweight over a ring-buffer record plus
 * its process and fd tables; tests, replay and benchmarks use {@link Event}.
 *
 * <p>Conventions that keep a flyweight allocation-free: numeric getters return primitives, with {@link #ABSENT}
 * for "no value"; text getters return a {@link CharSequence} (which an implementation may decode lazily and
 * reuse until the next event) or null for "no value"; related views return null when unknown. Nothing throws
 * for a missing value.
 */
public interface EventView {
    /** The numeric "no value" marker. */
    long ABSENT = Long.MIN_VALUE;

    EventType type();

    /** {@code type().id()}; a flyweight may answer from the record header without resolving the enum. */
    default int typeId() { return type().id(); }

    /** True for an enter event ({@code >}), false for an exit event ({@code <}, what the sensor emits). */
    default boolean isEnter() { return false; }

    /** Event sequence number ({@code evt.num}). */
    long num();

    /** Wall-clock timestamp in nanoseconds since the epoch ({@code evt.rawtime}). */
    long timestamp();

    /** Raw return value ({@code evt.rawres}), or ABSENT. */
    long rawRes();

    /** Numeric value of parameter {@code slot} of {@link #type()} ({@link EventType#param(int)}), or ABSENT. */
    long argLong(int slot);

    /**
     * Text of parameter {@code slot}: the value of text parameters, or a resolved form of a numeric one
     * (such as a user name for a uid) when the producer has it. Null when absent.
     */
    CharSequence argStr(int slot);

    /** Bytes of a BYTEBUF parameter, or null. */
    ByteSequence argBytes(int slot);

    /** The thread/process that made the event, or null when unknown. */
    ProcessView process();

    /** The file descriptor the event is about (opened, connected, read, ...), or null. */
    FdView fd();

    /** The container of the process; for host processes a view whose id is "host"; null when unknown. */
    ContainerView container();
}
