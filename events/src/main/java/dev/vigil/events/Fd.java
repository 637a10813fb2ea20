package dev.vigil.events;

/** An immutable {@link FdView}; use the factories ({@link #file}, {@link #tcp4}, ...) or {@link #builder()}. */
public final class Fd implements FdView {
    private final long num;
    private final FdType type;
    private final String name, nameRaw, directory, filename;
    private final L4Proto l4proto;
    private final int role;
    private final boolean connected, nameChanged, hasTuple;
    private final long cipHi, cipLo, sipHi, sipLo;
    private final int cport, sport;
    private final String cipName, sipName;
    private final long dev, ino;
    private final boolean upperLayer, lowerLayer, created;

    private Fd(Builder b) {
        num = b.num; type = b.type; l4proto = b.l4proto; role = b.role; connected = b.connected;
        nameChanged = b.nameChanged; hasTuple = b.hasTuple;
        cipHi = b.cipHi; cipLo = b.cipLo; sipHi = b.sipHi; sipLo = b.sipLo; cport = b.cport; sport = b.sport;
        cipName = b.cipName; sipName = b.sipName; dev = b.dev; ino = b.ino;
        upperLayer = b.upperLayer; lowerLayer = b.lowerLayer; created = b.created;
        String n = b.name;
        if (b.derived) {
            name = n;
            nameRaw = b.nameRaw;
            directory = b.directory;
            filename = b.filename;
            return;
        }
        if (n == null && hasTuple) {
            n = IpAddr.format(cipHi, cipLo) + ":" + cport + "->" + IpAddr.format(sipHi, sipLo) + ":" + sport;
        }
        name = n;
        nameRaw = b.nameRaw != null ? b.nameRaw : n;
        if (n != null && (type == FdType.FILE || type == FdType.DIRECTORY)) {
            if (type == FdType.DIRECTORY) {
                directory = n;
                filename = null;
            } else {
                int slash = n.lastIndexOf('/');
                directory = slash < 0 ? null : (slash == 0 ? "/" : n.substring(0, slash));
                filename = slash < 0 ? n : n.substring(slash + 1);
            }
        } else {
            directory = null;
            filename = null;
        }
    }

    public static Builder builder() { return new Builder(); }

    /** An immutable copy of any view, from its {@link FdView} methods alone (so a held event cannot drift from the live one). */
    public static Fd copyOf(FdView f) {
        if (f instanceof Fd done) return done;
        Builder b = builder().num(f.num()).type(f.type()).l4proto(f.l4proto()).role(f.role()).connected(f.connected())
                .nameChanged(f.nameChanged()).dev(f.dev()).ino(f.ino()).layers(f.upperLayer(), f.lowerLayer()).created(f.created());
        b.name = str(f.name());
        b.nameRaw = str(f.nameRaw());
        b.directory = str(f.directory());
        b.filename = str(f.filename());
        b.derived = true;
        b.cipName = str(f.clientIpName());
        b.sipName = str(f.serverIpName());
        b.hasTuple = f.hasTuple();
        b.cipHi = f.clientIpHi(); b.cipLo = f.clientIpLo(); b.sipHi = f.serverIpHi(); b.sipLo = f.serverIpLo();
        b.cport = f.clientPort(); b.sport = f.serverPort();
        return b.build();
    }

    private static String str(CharSequence s) {
        return s == null ? null : s.toString();
    }

    /** A regular file; {@code num} -1 for a failed open. */
    public static Fd file(long num, String path) {
        return builder().num(num).type(FdType.FILE).name(path).build();
    }

    public static Fd directory(long num, String path) {
        return builder().num(num).type(FdType.DIRECTORY).name(path).build();
    }

    /** A connected IPv4 TCP client socket (this process connected from cip:cport to sip:sport). */
    public static Fd tcp4(long num, String cip, int cport, String sip, int sport) {
        return builder().num(num).ip(cip, cport, sip, sport).l4proto(L4Proto.TCP).role(ROLE_CLIENT)
                .connected(true).build();
    }

    public static Fd udp4(long num, String cip, int cport, String sip, int sport) {
        return builder().num(num).ip(cip, cport, sip, sport).l4proto(L4Proto.UDP).role(ROLE_CLIENT).build();
    }

    @Override public long num() { return num; }
    @Override public FdType type() { return type; }
    @Override public CharSequence name() { return name; }
    @Override public CharSequence nameRaw() { return nameRaw; }
    @Override public CharSequence directory() { return directory; }
    @Override public CharSequence filename() { return filename; }
    @Override public L4Proto l4proto() { return l4proto; }
    @Override public int role() { return role; }
    @Override public boolean connected() { return connected; }
    @Override public boolean upperLayer() { return upperLayer; }
    @Override public boolean lowerLayer() { return lowerLayer; }
    @Override public boolean created() { return created; }
    @Override public boolean nameChanged() { return nameChanged; }
    @Override public boolean hasTuple() { return hasTuple; }
    @Override public long clientIpHi() { return cipHi; }
    @Override public long clientIpLo() { return cipLo; }
    @Override public long serverIpHi() { return sipHi; }
    @Override public long serverIpLo() { return sipLo; }
    @Override public int clientPort() { return cport; }
    @Override public int serverPort() { return sport; }
    @Override public CharSequence clientIpName() { return cipName; }
    @Override public CharSequence serverIpName() { return sipName; }
    @Override public long dev() { return dev; }
    @Override public long ino() { return ino; }

    @Override
    public String toString() { return "Fd[" + num + " " + (type == null ? "?" : type.falcoName()) + " " + name + "]"; }

    /** Builder for {@link Fd}. */
    public static final class Builder {
        private long num = -1;
        private FdType type = FdType.FILE;
        private String name, nameRaw;
        private L4Proto l4proto = L4Proto.UNKNOWN;
        private int role = ROLE_NONE;
        private boolean connected, nameChanged, hasTuple;
        private long cipHi, cipLo, sipHi, sipLo;
        private int cport = -1, sport = -1;
        private String cipName, sipName;
        private long dev = EventView.ABSENT, ino = EventView.ABSENT;
        private String directory, filename;
        private boolean derived; // copyOf: the names as the view gave them, nothing derived

        public Builder num(long v) { num = v; return this; }
        public Builder type(FdType v) { type = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder nameRaw(String v) { nameRaw = v; return this; }
        public Builder l4proto(L4Proto v) { l4proto = v; return this; }
        public Builder role(int v) { role = v; return this; }
        public Builder connected(boolean v) { connected = v; return this; }
        private boolean upperLayer, lowerLayer, created;
        /** The overlayfs layer the file is in (fd.is_upper_layer / fd.is_lower_layer). */
        public Builder layers(boolean upper, boolean lower) { upperLayer = upper; lowerLayer = lower; return this; }
        public Builder created(boolean v) { created = v; return this; }
        public Builder nameChanged(boolean v) { nameChanged = v; return this; }
        public Builder dev(long v) { dev = v; return this; }
        public Builder ino(long v) { ino = v; return this; }
        public Builder clientIpName(String v) { cipName = v; return this; }
        public Builder serverIpName(String v) { sipName = v; return this; }

        /** Sets the socket tuple from IP literals; the fd type becomes ipv4 or ipv6 accordingly. */
        public Builder ip(String cip, int cport, String sip, int sport) {
            long[] c = IpAddr.parse(cip), s = IpAddr.parse(sip);
            if (c == null || s == null) throw new IllegalArgumentException("bad IP " + cip + " / " + sip);
            cipHi = c[0]; cipLo = c[1]; sipHi = s[0]; sipLo = s[1];
            this.cport = cport; this.sport = sport;
            hasTuple = true;
            type = IpAddr.isV4(c[0], c[1]) && IpAddr.isV4(s[0], s[1]) ? FdType.IPV4 : FdType.IPV6;
            return this;
        }

        public Fd build() { return new Fd(this); }
    }
}
