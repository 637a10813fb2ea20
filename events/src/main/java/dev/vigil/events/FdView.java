package dev.vigil.events;

/**
 * A file descriptor at the time of an event (Falco's {@code fd.*} fields). For an open that failed, the
 * producer reports num -1 and the path it tried, like Falco. Socket addresses use {@link IpAddr}'s two-long
 * form; ports are -1 when absent.
 */
public interface FdView {
    int ROLE_NONE = 0;
    int ROLE_CLIENT = 1;
    int ROLE_SERVER = 2;

    long num();
    FdType type();
    /** Resolved name: absolute path, "cip:cport->sip:sport" for IP sockets, path for unix sockets. */
    CharSequence name();
    /** The name as the process passed it, unresolved. */
    CharSequence nameRaw();
    /** Directory part of a file name (for a directory: the directory itself). */
    CharSequence directory();
    /** Last path component of a file name. */
    CharSequence filename();

    L4Proto l4proto();
    /** Whether this process is the client (connect) or server (accept) end. */
    int role();
    boolean connected();
    /** True when the fd name changed during this event (e.g. an unconnected UDP send to a new peer). */
    boolean nameChanged();

    /** Client and server addresses; {@link #hasTuple()} says whether they are set. */
    boolean hasTuple();
    long clientIpHi();
    long clientIpLo();
    long serverIpHi();
    long serverIpLo();
    int clientPort();
    int serverPort();
    /** Domain names of the client/server addresses if the producer resolved them, else null. */
    CharSequence clientIpName();
    CharSequence serverIpName();

    long dev();
    long ino();

    /** For a file on overlayfs (a container's root): in the upper (container-written) layer ({@code fd.is_upper_layer}). */
    default boolean upperLayer() { return false; }
    /** For a file on overlayfs: only in a lower (image) layer ({@code fd.is_lower_layer}). */
    default boolean lowerLayer() { return false; }
    /** The open that made this fd created the file ({@code evt.is_open_create}). */
    default boolean created() { return false; }
}
