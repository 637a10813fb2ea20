package dev.vigil.events;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable {@link EventView} for tests, golden tests, replay and benchmarks. Build with
 * {@link #builder(EventType)}; parameters are set by name and checked against the type's parameter list.
 */
public final class Event implements EventView {
    private final EventType type;
    private final boolean enter;
    private final long num;
    private final long timestamp;
    private final long rawRes;
    private final long[] longs;
    private final CharSequence[] strs;
    private final ByteSequence[] bytes;
    private final ProcessView process;
    private final FdView fd;
    private final ContainerView container;
    /**
     * A poll's fd array, null for every other event: one field, not two arrays, so an Event stays 80 bytes (two
     * more references made it 88) and a builder allocates nothing for it. RulesBench's stream is 8,192 Events built
     * without a GC between them, so every byte per event (live or builder garbage) spreads what the rules read.
     */
    private final FdList fdList;

    private record FdList(long[] nums, FdView[] fds) {}

    private Event(Builder b) {
        this.type = b.type;
        this.enter = b.enter;
        this.num = b.num;
        this.timestamp = b.timestamp;
        this.rawRes = b.rawRes;
        this.longs = b.longs.clone();
        this.strs = b.strs.clone();
        this.bytes = b.bytes.clone();
        this.process = b.process;
        this.fd = b.fd;
        this.container = b.container;
        this.fdList = b.fdList;
    }

    public static Builder builder(EventType type) { return new Builder(type); }

    /** A builder pre-filled with this event's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.enter = enter;
        b.num = num;
        b.timestamp = timestamp;
        b.rawRes = rawRes;
        System.arraycopy(longs, 0, b.longs, 0, longs.length);
        System.arraycopy(strs, 0, b.strs, 0, strs.length);
        System.arraycopy(bytes, 0, b.bytes, 0, bytes.length);
        b.process = process;
        b.fd = fd;
        b.container = container;
        b.fdList = fdList;
        return b;
    }

    @Override public EventType type() { return type; }
    @Override public boolean isEnter() { return enter; }
    @Override public long num() { return num; }
    @Override public long timestamp() { return timestamp; }
    @Override public long rawRes() { return rawRes; }
    @Override public long argLong(int slot) { return slot < 0 || slot >= longs.length ? ABSENT : longs[slot]; }
    @Override public CharSequence argStr(int slot) { return slot < 0 || slot >= strs.length ? null : strs[slot]; }
    @Override public ByteSequence argBytes(int slot) { return slot < 0 || slot >= bytes.length ? null : bytes[slot]; }
    @Override public ProcessView process() { return process; }
    @Override public FdView fd() { return fd; }
    @Override public ContainerView container() { return container; }
    @Override public int fdListSize() { return fdList == null ? 0 : fdList.nums.length; }
    @Override public long fdListNum(int i) { return fdList == null || i < 0 || i >= fdList.nums.length ? ABSENT : fdList.nums[i]; }
    @Override public FdView fdListFd(int i) { return fdList == null || i < 0 || i >= fdList.fds.length ? null : fdList.fds[i]; }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(num).append(' ').append(enter ? '>' : '<').append(' ').append(type.falcoName());
        for (int i = 0; i < type.paramCount(); i++) {
            if (longs[i] != ABSENT || strs[i] != null) {
                sb.append(' ').append(type.param(i).name()).append('=');
                sb.append(strs[i] != null ? strs[i] : String.valueOf(longs[i]));
            }
        }
        return sb.toString();
    }

    /** Builder for {@link Event}. */
    public static final class Builder {
        private final EventType type;
        private boolean enter;
        private long num = 1;
        private long timestamp = 1_700_000_000_000_000_000L;
        private long rawRes = ABSENT;
        private final long[] longs;
        private final CharSequence[] strs;
        private final ByteSequence[] bytes;
        private ProcessView process;
        private FdView fd;
        private FdList fdList;
        private ContainerView container;

        private Builder(EventType type) {
            this.type = Objects.requireNonNull(type);
            int n = type.paramCount();
            longs = new long[n];
            Arrays.fill(longs, ABSENT);
            strs = new CharSequence[n];
            bytes = new ByteSequence[n];
        }

        public Builder enter(boolean e) { this.enter = e; return this; }
        public Builder num(long n) { this.num = n; return this; }
        public Builder timestamp(long ns) { this.timestamp = ns; return this; }

        /** Sets the return value, and the "res"/"fd" parameter that carries it if the type has one. */
        public Builder res(long res) {
            this.rawRes = res;
            int slot = type.paramCount() > 0 ? 0 : -1;
            if (slot == 0) {
                String n = type.param(0).name();
                if (n.equals("res") || n.equals("fd") || n.equals("res_or_fd") || n.equals("status")) longs[0] = res;
            }
            return this;
        }

        private int slot(String name) {
            int s = type.slotOf(name);
            if (s < 0) throw new IllegalArgumentException(type.falcoName() + " has no parameter '" + name + "'");
            return s;
        }

        public Builder arg(String name, long value) {
            int s = slot(name);
            longs[s] = value;
            return this;
        }

        /** Sets a text parameter, or the resolved text of a numeric one. */
        public Builder arg(String name, CharSequence value) {
            int s = slot(name);
            strs[s] = value == null ? null : value.toString();
            return this;
        }

        /** Sets a flags/enum parameter by flag names, e.g. {@code flag("flags", "O_WRONLY", "O_TRUNC")}. */
        public Builder flags(String name, String... flagNames) {
            int s = slot(name);
            FlagSet fs = type.param(s).flags();
            if (fs == null) throw new IllegalArgumentException(name + " is not a flags parameter");
            long v = 0;
            for (String f : flagNames) {
                FlagSet.Flag fl = fs.byName(f);
                if (fl == null) throw new IllegalArgumentException("unknown flag " + f + " in " + fs.name());
                v = (v & ~fl.mask()) | fl.value();
            }
            longs[s] = v;
            return this;
        }

        public Builder arg(String name, byte[] value) {
            int s = slot(name);
            bytes[s] = value == null ? null : ByteSequence.of(value);
            return this;
        }

        public Builder process(ProcessView p) { this.process = p; return this; }
        public Builder fd(FdView f) { this.fd = f; return this; }

        /** A poll's fd array: each fd's number and what the fd table held for it (null entries: unknown). */
        public Builder fdList(long[] nums, FdView[] fds) {
            if (nums.length != fds.length) throw new IllegalArgumentException("fdList: " + nums.length + " numbers, " + fds.length + " fds");
            this.fdList = new FdList(nums.clone(), fds.clone());
            return this;
        }
        public Builder container(ContainerView c) { this.container = c; return this; }

        public Event build() { return new Event(this); }
    }
}
