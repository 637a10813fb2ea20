package dev.vigil.sensor;

import dev.vigil.events.EventView;
import dev.vigil.events.FdType;
import dev.vigil.events.FdView;
import dev.vigil.events.IpAddr;
import dev.vigil.events.L4Proto;

/** What one file descriptor of a process refers to (mutable: a socket gains its tuple at connect/accept). */
public final class FdEntry implements FdView {
    long num;
    FdType type;
    /** The name, or (while tupleNamed) stale: the tuple's text is made the first time it is asked for. */
    private String name;
    /** setTuple ran since the name was last set: most sockets' names are never read (a rule that does not ask). */
    private boolean tupleNamed;
    String nameRaw;
    L4Proto l4proto = L4Proto.UNKNOWN;
    int role = ROLE_NONE;
    boolean connected;
    boolean hasTuple;
    long cipHi, cipLo, sipHi, sipLo;
    int cport = -1, sport = -1;
    long dev = EventView.ABSENT, ino = EventView.ABSENT;
    int openFlags;

    FdEntry(long num, FdType type, String name) {
        this.num = num;
        this.type = type;
        this.name = name;
    }

    FdEntry copyAs(long newNum) {
        FdEntry c = new FdEntry(newNum, type, name);
        c.tupleNamed = tupleNamed;
        c.nameRaw = nameRaw; c.l4proto = l4proto; c.role = role; c.connected = connected; c.hasTuple = hasTuple;
        c.cipHi = cipHi; c.cipLo = cipLo; c.sipHi = sipHi; c.sipLo = sipLo; c.cport = cport; c.sport = sport;
        c.dev = dev; c.ino = ino; c.openFlags = openFlags; c.layer = layer;
        return c;
    }

    void setTuple(long cHi, long cLo, int cPort, long sHi, long sLo, int sPort) {
        hasTuple = true;
        cipHi = cHi; cipLo = cLo; cport = cPort; sipHi = sHi; sipLo = sLo; sport = sPort;
        tupleNamed = true;
    }

    void setName(String name) {
        this.name = name;
        tupleNamed = false;
    }

    /** RecordLayout.FILE_UPPER_LAYER / FILE_LOWER_LAYER, from the open's record; 0 off overlayfs. */
    int layer;

    @Override public boolean upperLayer() { return (layer & 3) == RecordLayout.FILE_UPPER_LAYER; }
    @Override public boolean lowerLayer() { return (layer & 3) == RecordLayout.FILE_LOWER_LAYER; }
    @Override public boolean created() { return (layer & RecordLayout.FILE_CREATED) != 0; }
    @Override public long num() { return num; }
    @Override public FdType type() { return type; }
    @Override
    public String name() {
        if (tupleNamed) {
            name = IpAddr.format(cipHi, cipLo) + ":" + cport + "->" + IpAddr.format(sipHi, sipLo) + ":" + sport;
            tupleNamed = false;
        }
        return name;
    }

    @Override public CharSequence nameRaw() { return nameRaw != null ? nameRaw : name(); }

    @Override
    public CharSequence directory() {
        String name = name();
        if (name == null || (type != FdType.FILE && type != FdType.DIRECTORY)) return null;
        if (type == FdType.DIRECTORY) return name;
        int slash = name.lastIndexOf('/');
        return slash < 0 ? null : (slash == 0 ? "/" : name.substring(0, slash));
    }

    @Override
    public CharSequence filename() {
        String name = name();
        if (name == null || type != FdType.FILE) return null;
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    @Override public L4Proto l4proto() { return l4proto; }
    @Override public int role() { return role; }
    @Override public boolean connected() { return connected; }
    @Override public boolean nameChanged() { return false; }
    @Override public boolean hasTuple() { return hasTuple; }
    @Override public long clientIpHi() { return cipHi; }
    @Override public long clientIpLo() { return cipLo; }
    @Override public long serverIpHi() { return sipHi; }
    @Override public long serverIpLo() { return sipLo; }
    @Override public int clientPort() { return cport; }
    @Override public int serverPort() { return sport; }
    @Override public CharSequence clientIpName() { return null; }
    @Override public CharSequence serverIpName() { return null; }
    @Override public long dev() { return dev; }
    @Override public long ino() { return ino; }

    @Override
    public String toString() { return num + ":" + type + ":" + name(); }
}
