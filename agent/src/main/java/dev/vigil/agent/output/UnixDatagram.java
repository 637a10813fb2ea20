package dev.vigil.agent.output;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Unix datagram socket (what /dev/log is), through libc: the JDK's channels do Unix stream sockets only.
 * Not thread-safe; one owner thread.
 */
public final class UnixDatagram implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH = 108;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERR = Linker.Option.captureCallState("errno");
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = fn("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = fn("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = arena.allocate(STATE);
    private final MemorySegment buf = arena.allocate(65536);
    private int fd = -1;

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, ERR);
    }

    private UnixDatagram() {}

    /** A socket connected to {@code path} (a sender). */
    public static UnixDatagram connect(Path path) throws IOException {
        UnixDatagram u = new UnixDatagram();
        try {
            u.open(path, CONNECT, "connect");
        } catch (IOException e) {
            u.close();
            throw e;
        }
        return u;
    }

    /** A socket bound to {@code path} (a receiver, for tests). */
    public static UnixDatagram bind(Path path) throws IOException {
        UnixDatagram u = new UnixDatagram();
        try {
            u.open(path, BIND, "bind");
        } catch (IOException e) {
            u.close();
            throw e;
        }
        return u;
    }

    private void open(Path path, MethodHandle op, String what) throws IOException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH) throw new IOException(path + ": socket path too long");
        try {
            fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw error("socket");
            MemorySegment sa = arena.allocate(2 + SUN_PATH);
            sa.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, sa, JAVA_BYTE, 2, p.length);
            int r = (int) op.invokeExact(state, fd, sa, 2 + p.length + 1);
            if (r < 0) throw error(what + " " + path);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    public void send(byte[] message) throws IOException {
        int n = Math.min(message.length, (int) buf.byteSize());
        MemorySegment.copy(message, 0, buf, JAVA_BYTE, 0, n);
        try {
            long r = (long) SEND.invokeExact(state, fd, buf, (long) n, 0);
            if (r < 0) throw error("send");
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Blocks for one datagram. */
    public byte[] receive() throws IOException {
        try {
            long r = (long) RECV.invokeExact(state, fd, buf, buf.byteSize(), 0);
            if (r < 0) throw error("recv");
            return buf.asSlice(0, r).toArray(JAVA_BYTE);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    private IOException error(String what) {
        int errno = (int) ERRNO.get(state, 0L);
        String msg;
        try {
            msg = ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            msg = "errno " + errno;
        }
        return new IOException(what + ": " + msg);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            try {
                int r = (int) CLOSE.invokeExact(state, fd);
            } catch (Throwable ignored) {
                // nothing to do
            }
            fd = -1;
        }
        arena.close();
    }
}
