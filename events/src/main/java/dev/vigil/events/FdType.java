package dev.vigil.events;

/** The kind of a file descriptor, with Falco's {@code fd.type} name and {@code fd.typechar}. */
public enum FdType {
    FILE("file", 'f'), DIRECTORY("directory", 'd'), IPV4("ipv4", '4'), IPV6("ipv6", '6'), UNIX("unix", 'u'),
    PIPE("pipe", 'p'), EVENT("event", 'e'), SIGNALFD("signalfd", 's'), EVENTPOLL("eventpoll", 'l'),
    INOTIFY("inotify", 'i'), TIMERFD("timerfd", 't'), NETLINK("netlink", 'n'), BPF("bpf", 'b'),
    USERFAULTFD("userfaultfd", 'u'), IO_URING("io_uring", 'r'), MEMFD("memfd", 'm'), PIDFD("pidfd", 'P');

    private final String falcoName;
    private final char typeChar;
    private final String typeCharString;

    FdType(String falcoName, char typeChar) {
        this.falcoName = falcoName;
        this.typeChar = typeChar;
        this.typeCharString = String.valueOf(typeChar);
    }

    public String falcoName() { return falcoName; }

    public char typeChar() { return typeChar; }

    /** {@link #typeChar()} as a (cached) one-character string. */
    public String typeCharString() { return typeCharString; }

    public boolean isIp() { return this == IPV4 || this == IPV6; }
}
