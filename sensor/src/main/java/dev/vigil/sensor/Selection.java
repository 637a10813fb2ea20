package dev.vigil.sensor;

import dev.vigil.events.EventType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which events the sensor delivers, hence which syscall tracepoints it attaches. Process lifecycle (exec,
 * fork, exit, comm renames) always comes from sched/task tracepoints, which cost untraced syscalls nothing;
 * syscall tracepoints are attached only for the types selected here.
 *
 * <p>Successful execs come from sched_process_exec. The execve/execveat syscall tracepoints are attached only
 * when {@link #failedExecs()} is asked for: attaching any syscall tracepoint puts every syscall of every
 * process on the kernel's slow path (PLATFORM.md, ~90 ns), a cost an exec-only selection need not pay.
 * The clone family needs no syscall tracepoint at all: sched_process_fork reads which syscall (clone, fork,
 * vfork, clone3) and its flags from the parent's saved registers.
 */
public record Selection(Set<EventType> types, boolean failedExecs, Set<Integer> generic) {
    private static final Set<EventType> LIFECYCLE = EnumSet.of(EventType.EXECVE, EventType.EXECVEAT,
            EventType.CLONE, EventType.CLONE3, EventType.FORK, EventType.VFORK, EventType.PROCEXIT);
    /** Events from non-syscall tracepoints, attached only when selected (not part of {@link #all()}). */
    static final Set<EventType> KERNEL = EnumSet.of(EventType.TCP_SEND_RESET);

    /**
     * {@code generic}: syscall numbers captured as the generic event ({@link EventType#SYSCALL}); one with a
     * decoder is captured as its own type instead.
     */
    public Selection {
        EnumSet<EventType> s = EnumSet.noneOf(EventType.class);
        for (EventType t : types) {
            if (t == EventType.SYSCALL) continue; // which syscalls: the generic set says
            if (!LIFECYCLE.contains(t) && !KERNEL.contains(t) && SyscallTable.of(t) == null) {
                throw new IllegalArgumentException("the sensor cannot capture event type '" + t.falcoName() + "'");
            }
            s.add(t);
        }
        java.util.TreeSet<Integer> g = new java.util.TreeSet<>();
        for (int nr : generic) {
            if (dev.vigil.events.Syscalls.name(nr) == null) throw new IllegalArgumentException("no x86-64 syscall has number " + nr);
            SyscallTable.Def d = SyscallTable.byNr(nr);
            if (d != null) s.add(d.type());
            else g.add(nr);
        }
        if (!g.isEmpty()) s.add(EventType.SYSCALL);
        types = Set.copyOf(s);
        generic = java.util.Collections.unmodifiableSet(g);
    }

    public Selection(Set<EventType> types, boolean failedExecs) {
        this(types, failedExecs, Set.of());
    }

    /** Exactly these types; lifecycle from sched tracepoints only. */
    public static Selection of(Collection<EventType> types) {
        return new Selection(EnumSet.copyOf(types.isEmpty() ? EnumSet.noneOf(EventType.class) : EnumSet.copyOf(types)),
                false);
    }

    public static Selection of(EventType... types) {
        return of(List.of(types));
    }

    /** Every type the sensor can capture, failed execs included, except the high-rate ones (mmap, mprotect, ioctl, poll, ppoll: name those). */
    public static Selection all() {
        EnumSet<EventType> s = EnumSet.copyOf(LIFECYCLE);
        for (SyscallTable.Def d : SyscallTable.all()) if (!SyscallTable.HIGH_RATE.contains(d.type())) s.add(d.type());
        return new Selection(s, true);
    }

    /**
     * Parses a comma-separated list of Falco event type names ("execve,openat,connect", or "all"); the name of a
     * syscall without a decoder ("getpid") selects its generic event.
     */
    public static Selection parse(String list) {
        if (list.trim().equals("all")) return all();
        EnumSet<EventType> s = EnumSet.noneOf(EventType.class);
        java.util.Set<Integer> generic = new java.util.TreeSet<>();
        for (String n : list.split(",")) {
            String name = n.trim();
            if (name.isEmpty()) continue;
            EventType t = EventType.byName(name);
            int nr = dev.vigil.events.Syscalls.number(name);
            if (t != null && t != EventType.SYSCALL) s.add(t);
            else if (nr >= 0) generic.add(nr);
            else throw new IllegalArgumentException("unknown event type '" + name + "'");
        }
        return new Selection(s, false, generic);
    }

    /** These types plus the generic events of these syscall numbers. */
    public static Selection of(Collection<EventType> types, Collection<Integer> generic) {
        return new Selection(types.isEmpty() ? EnumSet.noneOf(EventType.class) : EnumSet.copyOf(types), false, Set.copyOf(generic));
    }

    public Selection withFailedExecs(boolean on) { return new Selection(types, on, generic); }

    public boolean contains(EventType t) { return types.contains(t); }

    /** The selected syscalls: their specs are written to the kernel (the clone and exec ones name lifecycle records). */
    public List<SyscallTable.Def> syscalls() {
        List<SyscallTable.Def> out = new ArrayList<>();
        for (SyscallTable.Def d : SyscallTable.all()) if (types.contains(d.type())) out.add(d);
        for (int nr : generic) out.add(SyscallTable.generic(nr));
        return out;
    }

    /** The selected syscalls whose sys_exit tracepoint is attached. */
    public List<SyscallTable.Def> attached() {
        List<SyscallTable.Def> out = new ArrayList<>();
        for (SyscallTable.Def d : syscalls()) {
            if ((d.flags() & RecordLayout.SPEC_EXEC) != 0 && !failedExecs) continue;
            if ((d.flags() & RecordLayout.SPEC_CLONE) != 0) continue;
            out.add(d);
        }
        return out;
    }
}
