package dev.vigil.ebpf.internal;

import static dev.vigil.ebpf.internal.Native.C_INT;
import static dev.vigil.ebpf.internal.Native.C_LONG;
import static dev.vigil.ebpf.internal.Native.C_POINTER;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Supplier;

/**
 * Routes libbpf's print callback into Vigil's logging. While a load runs, messages are also captured
 * for the calling thread so that a failure can carry the verifier log instead of spraying it on stderr.
 * The upcall formats with libc's vsnprintf (the va_list is passed through) and never lets an exception
 * escape: one would kill the JVM.
 */
public final class LibBpfLog {
    public static final int LEVEL_WARN = 0;
    public static final int LEVEL_INFO = 1;
    public static final int LEVEL_DEBUG = 2;

    private static final System.Logger LOG = System.getLogger("dev.vigil.ebpf.libbpf");
    private static final int BUF_SIZE = 1 << 20; // the verifier log arrives in one print call
    private static final ThreadLocal<MemorySegment> BUFFER = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BUF_SIZE));
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    private static final MethodHandle VSNPRINTF = Native.downcall(Native.LINKER.defaultLookup(), "vsnprintf",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER, C_POINTER));

    private static volatile PrintStream verboseStream; // -v: every libbpf message, debug included
    private static volatile boolean installed;

    private LibBpfLog() {}

    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibBpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub = Native.LINKER.upcallStub(target,
                    FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER), Arena.global());
            LibBpf.setPrint(stub);
            installed = true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends every libbpf message (debug included) to the stream, like libbpf-tools' -v; null turns it off. */
    public static void setVerbose(PrintStream stream) {
        verboseStream = stream;
    }

    /** Runs the action with libbpf's messages for this thread captured into the builder. */
    public static <T> T capturing(StringBuilder into, Supplier<T> action) {
        StringBuilder previous = CAPTURE.get();
        CAPTURE.set(into);
        try {
            return action.get();
        } finally {
            CAPTURE.set(previous);
        }
    }

    /** A message cut at the buffer size has no final newline: keep the next message on its own line. */
    private static void appendLine(StringBuilder sb, String message) {
        sb.append(message);
        if (!message.endsWith("\n")) {
            sb.append('\n');
        }
    }

    @SuppressWarnings("unused") // called from native code
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            MemorySegment buf = BUFFER.get();
            int n = (int) VSNPRINTF.invokeExact(buf, (long) BUF_SIZE, format, args);
            if (n < 0) {
                return 0;
            }
            String message = buf.getString(0);
            PrintStream verbose = verboseStream;
            StringBuilder capture = CAPTURE.get();
            if (verbose != null) {
                verbose.print(message);
            } else if (capture != null) {
                appendLine(capture, message);
            } else if (level == LEVEL_WARN) {
                LOG.log(System.Logger.Level.WARNING, message.stripTrailing());
            } else {
                LOG.log(level == LEVEL_INFO ? System.Logger.Level.DEBUG : System.Logger.Level.TRACE, message.stripTrailing());
            }
            if (verbose != null && capture != null) {
                appendLine(capture, message);
            }
        } catch (Throwable ignored) {
            // Nothing may escape an upcall.
        }
        return 0;
    }
}
