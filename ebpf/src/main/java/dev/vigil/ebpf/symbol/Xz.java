package dev.vigil.ebpf.symbol;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * xz decompression through the system liblzma.so.5 (always present on Debian: dpkg needs it), for
 * .gnu_debugdata. Absent liblzma, MiniDebugInfo is simply not read.
 */
final class Xz {
    private static final int LZMA_OK = 0;
    private static final int LZMA_BUF_ERROR = 10;
    private static final int MAX_OUTPUT = 256 << 20;
    private static final MethodHandle DECODE = bind();

    private Xz() {}

    private static MethodHandle bind() {
        try {
            SymbolLookup lib = SymbolLookup.libraryLookup("liblzma.so.5", Arena.global());
            return Linker.nativeLinker().downcallHandle(lib.find("lzma_stream_buffer_decode").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        } catch (RuntimeException e) {
            return null;
        }
    }

    static boolean available() {
        return DECODE != null;
    }

    /** The decompressed bytes of one .xz stream, or empty when it is corrupt or liblzma is missing. */
    static Optional<byte[]> decompress(byte[] xz) {
        if (DECODE == null) {
            return Optional.empty();
        }
        long capacity = Math.max(4096, (long) xz.length * 8);
        while (capacity <= MAX_OUTPUT) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment memlimit = a.allocateFrom(ValueLayout.JAVA_LONG, -1L);
                MemorySegment in = a.allocateFrom(ValueLayout.JAVA_BYTE, xz);
                MemorySegment inPos = a.allocateFrom(ValueLayout.JAVA_LONG, 0L);
                MemorySegment out = a.allocate(capacity);
                MemorySegment outPos = a.allocateFrom(ValueLayout.JAVA_LONG, 0L);
                int rc = (int) DECODE.invokeExact(memlimit, 0, MemorySegment.NULL, in, inPos, (long) xz.length, out, outPos, capacity);
                if (rc == LZMA_OK) {
                    return Optional.of(out.asSlice(0, outPos.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE));
                }
                if (rc != LZMA_BUF_ERROR) {
                    return Optional.empty();
                }
            } catch (Throwable t) {
                return Optional.empty();
            }
            capacity *= 4;
        }
        return Optional.empty();
    }
}
