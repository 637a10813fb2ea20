package dev.vigil.tools.net;

/** The kernel's TCP states (include/net/tcp_states.h) by number, as BCC's tools name them. */
public final class TcpStates {
    public static final int ESTABLISHED = 1;
    public static final int SYN_SENT = 2;
    private static final String[] NAMES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private TcpStates() {}

    public static String name(int state) {
        return state > 0 && state < NAMES.length ? NAMES[state] : "UNKNOWN(" + state + ")";
    }
}
