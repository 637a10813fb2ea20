package dev.vigil.sensor;

/**
 * A capture file that cannot be read (further): not a capture, an unsupported format version, truncated or
 * corrupt. {@link #fileOffset()} is where in the file reading stopped (for the compressed body, the inflater's
 * position, exact for a truncation); {@link #streamOffset()} is the offset of the record that failed in the
 * uncompressed stream; {@link #eventsBefore()} the complete events delivered before it.
 */
public final class CaptureException extends SensorException {
    private final long fileOffset;
    private final long streamOffset;
    private final long eventsBefore;

    CaptureException(String message, long fileOffset, long streamOffset, long eventsBefore, Throwable cause) {
        super(message, cause);
        this.fileOffset = fileOffset;
        this.streamOffset = streamOffset;
        this.eventsBefore = eventsBefore;
    }

    public long fileOffset() { return fileOffset; }

    /** Offset of the failing record in the uncompressed stream, or -1 when the file header failed. */
    public long streamOffset() { return streamOffset; }

    public long eventsBefore() { return eventsBefore; }
}
