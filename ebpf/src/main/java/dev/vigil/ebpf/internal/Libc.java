package dev.vigil.ebpf.internal;

import static dev.vigil.ebpf.internal.Native.C_INT;
import static dev.vigil.ebpf.internal.Native.C_LONG;
import static dev.vigil.ebpf.internal.Native.C_POINTER;
import static dev.vigil.ebpf.internal.Native.downcall;
import static dev.vigil.ebpf.internal.Native.downcallErrno;
import static dev.vigil.ebpf.internal.Native.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc calls the library needs beyond libbpf: mmap for the ring buffer, epoll, eventfd, open/close. */
public final class Libc {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLLIN = 1;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int O_RDONLY = 0;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EINTR = 4;
    public static final long MAP_FAILED = -1L;

    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();

    private static final MethodHandle MMAP = downcallErrno(LIBC, "mmap", FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG));
    private static final MethodHandle MUNMAP = downcall(LIBC, "munmap", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
    private static final MethodHandle EPOLL_CREATE1 = downcallErrno(LIBC, "epoll_create1", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle EPOLL_CTL = downcallErrno(LIBC, "epoll_ctl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle EPOLL_WAIT = downcallErrno(LIBC, "epoll_wait", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle EVENTFD = downcallErrno(LIBC, "eventfd", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle WRITE = downcallErrno(LIBC, "write", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle READ = downcallErrno(LIBC, "read", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle OPEN = downcallErrno(LIBC, "open", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle CLOSE = downcall(LIBC, "close", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle GETPAGESIZE = downcall(LIBC, "getpagesize", FunctionDescriptor.of(C_INT));
    private static final MethodHandle GETEUID = downcall(LIBC, "geteuid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle STATFS = downcallErrno(LIBC, "statfs", FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle IF_NAMETOINDEX = downcallErrno(LIBC, "if_nametoindex", FunctionDescriptor.of(C_INT, C_POINTER));

    private Libc() {}

    public static MemorySegment mmap(MemorySegment errno, long length, int prot, int flags, int fd, long offset) {
        try { return (MemorySegment) MMAP.invokeExact(errno, MemorySegment.NULL, length, prot, flags, fd, offset); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int munmap(MemorySegment addr, long length) {
        try { return (int) MUNMAP.invokeExact(addr, length); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int epollCreate1(MemorySegment errno, int flags) {
        try { return (int) EPOLL_CREATE1.invokeExact(errno, flags); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int epollCtl(MemorySegment errno, int epfd, int op, int fd, MemorySegment event) {
        try { return (int) EPOLL_CTL.invokeExact(errno, epfd, op, fd, event); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int epollWait(MemorySegment errno, int epfd, MemorySegment events, int max, int timeoutMs) {
        try { return (int) EPOLL_WAIT.invokeExact(errno, epfd, events, max, timeoutMs); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int eventfd(MemorySegment errno, int initval, int flags) {
        try { return (int) EVENTFD.invokeExact(errno, initval, flags); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long write(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try { return (long) WRITE.invokeExact(errno, fd, buf, count); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long read(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try { return (long) READ.invokeExact(errno, fd, buf, count); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int open(MemorySegment errno, MemorySegment path, int flags) {
        try { return (int) OPEN.invokeExact(errno, path, flags); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int close(int fd) {
        try { return (int) CLOSE.invokeExact(fd); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int pageSize() {
        try { return (int) GETPAGESIZE.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int geteuid() {
        try { return (int) GETEUID.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }

    /** statfs(2) into buf (struct statfs, 120 bytes on x86-64; f_type is the first long). */
    public static int statfs(MemorySegment errno, MemorySegment path, MemorySegment buf) {
        try { return (int) STATFS.invokeExact(errno, path, buf); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int ifNameToIndex(MemorySegment errno, MemorySegment name) {
        try { return (int) IF_NAMETOINDEX.invokeExact(errno, name); } catch (Throwable t) { throw rethrow(t); }
    }
}
