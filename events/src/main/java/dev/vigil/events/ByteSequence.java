package dev.vigil.events;

/** A read-only byte buffer view (a syscall data buffer); a flyweight may back it by the ring record. */
public interface ByteSequence {
    int length();

    byte byteAt(int index);

    static ByteSequence of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new ByteSequence() {
            @Override public int length() { return copy.length; }
            @Override public byte byteAt(int index) { return copy[index]; }
        };
    }
}
