package dev.vigil.cli;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM end a tool cleanly (drain, detach, exit 0) instead of the JVM's default exit 130/143.
 * sun.misc.Signal is the supported way for an application to take these signals over.
 */
final class Signals {
    private Signals() {}

    static void onTerminate(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }
}
