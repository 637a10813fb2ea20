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

    /** For the generic event ({@link EventType#SYSCALL}): the syscall's x86-64 number; -1 for every other type. */
    default int syscallNr() {
        if (typeId() != EventType.SYSCALL.ordinal()) return -1;
        long nr = argLong(1); // nativeID
        return nr < 0 || nr >= Syscalls.MAX ? -1 : (int) nr;
    }

    /**
     * What evt.type conditions select on: {@link #typeId()}, or for a generic event the syscall's own match id
     * ({@link EventType#matchIdOf(int)}).
     */
    default int matchId() {
        int t = typeId();
        if (t != EventType.SYSCALL.ordinal()) return t;
        int nr = syscallNr();
        return nr < 0 ? t : EventType.matchIdOf(nr);
    }

    /** Falco's evt.type: the type's name, or for a generic event the syscall's. */
    default String typeName() {
        int nr = syscallNr();
        String n = nr < 0 ? null : Syscalls.name(nr);
        return n != null ? n : type().falcoName();
    }

    /**
     * Text of a path parameter as the process passed it, before it was made absolute (fs.path.*raw); other
     * parameters, and producers that keep no raw form, give {@link #argStr(int)}.
     */
    default CharSequence argRaw(int slot) { return argStr(slot); }

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

    /** For poll and ppoll: how many fds of the call's fd array the event carries (the sensor keeps the first 16); else 0. */
    default int fdListSize() { return 0; }

    /** The number of fd {@code i} of the fd array ({@link #fdListSize()}), or ABSENT. */
    default long fdListNum(int i) { return ABSENT; }

    /** What the process's fd table holds for fd {@code i} of the fd array (fdlist.names, cips, ...), or null. */
    default FdView fdListFd(int i) { return null; }
}
