package dev.vigil.events;

/** Layer-4 protocol of a socket, with Falco's {@code fd.l4proto} names. */
public enum L4Proto {
    TCP("tcp"), UDP("udp"), ICMP("icmp"), RAW("raw"), UNKNOWN("<NA>");

    private final String falcoName;

    L4Proto(String falcoName) { this.falcoName = falcoName; }

    public String falcoName() { return falcoName; }
}
