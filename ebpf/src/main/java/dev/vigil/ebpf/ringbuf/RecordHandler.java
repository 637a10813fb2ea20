package dev.vigil.ebpf.ringbuf;

import java.lang.foreign.MemorySegment;

/**
 * Receives each record in place: {@code data} is the mapped ring and the record occupies
 * [{@code offset}, {@code offset + length}). Nothing is copied and nothing is allocated per record; read
 * what is needed before returning, since the space is handed back to the kernel afterwards.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment data, long offset, int length);
}
