package dev.vigil.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM end a tool cleanly (drain, detach, exit 0) instead of the JVM's default exit 130/143;
 * SIGHUP reloads {@code vigil run}.
 * sun.misc.Signal is the supported way for an application to take these signals over.
 *
 * <p>A signal that arrives ignored (a background job of a non-interactive shell inherits SIGINT as SIG_IGN)
 * is set back to its default first: HotSpot installs no handler for an ignored INT/TERM and
 * {@code Signal.handle} then returns quietly, so {@code kill -INT} would do nothing. libbpf-tools' C tools
 * install their handler over SIG_IGN too.
 */
final class Signals {
    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;
    /** glibc x86-64 struct sigaction: sa_handler first; 152 bytes, rounded up. */
    private static final long SIGACTION_SIZE = 256;
    private static final long SIG_IGN = 1;

    private Signals() {}

    static void onTerminate(Runnable action) {
        resetIfIgnored(SIGINT);
        resetIfIgnored(SIGTERM);
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }

    /**
     * SIGHUP runs {@code action} (a reload), also when the agent was started with it ignored: under nohup, which
     * daemons that reload on SIGHUP override too (an operator's {@code kill -HUP} must not be lost).
     */
    static void onReload(Runnable action) {
        resetIfIgnored(SIGHUP);
        Signal.handle(new Signal("HUP"), s -> action.run());
    }

    /** SIG_IGN -> SIG_DFL, for the moment until the handler is installed; any other disposition is kept. */
    private static void resetIfIgnored(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
            if ((int) Libc.SIGACTION.invokeExact(signal, MemorySegment.NULL, old) != 0) {
                return;
            }
            if (old.get(ValueLayout.JAVA_LONG, 0) == SIG_IGN) {
                MemorySegment ignored = (MemorySegment) Libc.SIGNAL.invokeExact(signal, MemorySegment.NULL); // SIG_DFL
            }
        } catch (Throwable t) {
            // no libc symbol: leave the disposition as it is (the handler below still works unless ignored)
        }
    }

    private static final class Libc {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SIGACTION = LINKER.downcallHandle(LINKER.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        static final MethodHandle SIGNAL = LINKER.downcallHandle(LINKER.defaultLookup().find("signal").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }
}
