package dev.vigil.ebpf.btf;

import dev.vigil.ebpf.BpfException;

/** Java's view of a shared struct disagrees with the BPF object's BTF: refuse to decode garbage. */
public final class LayoutMismatchException extends BpfException {
    private final String struct;
    private final String field;

    public LayoutMismatchException(String struct, String field, String message) {
        super(message + " (rebuild, or update the Java view to match the C header)");
        this.struct = struct;
        this.field = field;
    }

    public String struct() {
        return struct;
    }

    /** The field that differs, or null when the struct itself is missing or of another size. */
    public String field() {
        return field;
    }
}
