package dev.vigil.ebpf.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * Java's view of a struct that a C header defines and the kernel program writes: the size and the
 * offset and size of each field Java reads. Decoders use these constants; {@link #verify(Btf)} checks
 * them against the compiled object's BTF at load, so the two can never drift silently.
 */
public record StructView(String name, long size, List<Field> fields) {
    public record Field(String name, long offset, long size) {}

    public StructView {
        fields = List.copyOf(fields);
    }

    public static Builder builder(String name, long size) {
        return new Builder(name, size);
    }

    public Field field(String fieldName) {
        for (Field f : fields) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        throw new IllegalArgumentException("struct " + name + " view has no field " + fieldName);
    }

    /** Throws {@link LayoutMismatchException} naming the first field whose offset or size differs. */
    public void verify(Btf btf) {
        Btf.Struct actual = btf.struct(name).orElseThrow(() -> new LayoutMismatchException(name, null,
                "struct " + name + " is not in the object's BTF (is it used by a program?)"));
        if (actual.size() != size) {
            throw new LayoutMismatchException(name, null,
                    "struct " + name + " is " + actual.size() + " bytes in the BPF object but Java expects " + size);
        }
        for (Field f : fields) {
            Btf.Member m = actual.member(f.name()).orElseThrow(() -> new LayoutMismatchException(name, f.name(),
                    "struct " + name + " has no field '" + f.name() + "' in the BPF object"));
            if (m.offset() != f.offset() || m.size() != f.size()) {
                throw new LayoutMismatchException(name, f.name(), "struct " + name + " field '" + f.name()
                        + "': BPF object has offset " + m.offset() + " size " + m.size()
                        + ", Java expects offset " + f.offset() + " size " + f.size());
            }
        }
    }

    public static final class Builder {
        private final String name;
        private final long size;
        private final List<Field> fields = new ArrayList<>();

        Builder(String name, long size) {
            this.name = name;
            this.size = size;
        }

        public Builder field(String fieldName, long offset, long fieldSize) {
            fields.add(new Field(fieldName, offset, fieldSize));
            return this;
        }

        public StructView build() {
            return new StructView(name, size, fields);
        }
    }
}
