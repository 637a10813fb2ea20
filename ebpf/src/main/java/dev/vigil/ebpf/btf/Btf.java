package dev.vigil.ebpf.btf;

import dev.vigil.ebpf.internal.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read access to a BTF blob (an object's own types). Enough to check struct layouts against
 * Java's view and to find globals in data sections; not a general BTF library.
 */
public final class Btf {
    static final int KIND_STRUCT = 4;
    static final int KIND_DATASEC = 15;
    private static final int BTF_TYPE_SIZE = 12;   // name_off, info, size/type
    private static final int BTF_MEMBER_SIZE = 12; // name_off, type, offset
    private static final int BTF_VAR_SECINFO_SIZE = 12; // type, offset, size

    /** A struct member: byte offset and size; bitfields carry their bit size (else 0). */
    public record Member(String name, long offset, long size, int bitfieldBits) {}

    public record Struct(String name, long size, List<Member> members) {
        public Optional<Member> member(String memberName) {
            return members.stream().filter(m -> m.name().equals(memberName)).findFirst();
        }
    }

    /** A global in a data section (.rodata, .data, .bss): offset and size within the section. */
    public record Variable(String name, int offset, int size) {}

    private final MemorySegment handle;
    private final Runnable ensureOpen;

    public Btf(MemorySegment handle, Runnable ensureOpen) {
        this.handle = handle;
        this.ensureOpen = ensureOpen;
    }

    private int find(String name, int kind) {
        ensureOpen.run();
        try (Arena a = Arena.ofConfined()) {
            return LibBpf.btfFindByNameKind(handle, a.allocateFrom(name), kind);
        }
    }

    private MemorySegment type(int id, int vlen, int entrySize) {
        return LibBpf.btfTypeById(handle, id).reinterpret(BTF_TYPE_SIZE + (long) vlen * entrySize);
    }

    private static int vlen(MemorySegment t) {
        return t.get(ValueLayout.JAVA_INT, 4) & 0xffff;
    }

    public Optional<Struct> struct(String name) {
        int id = find(name, KIND_STRUCT);
        if (id <= 0) {
            return Optional.empty();
        }
        MemorySegment head = LibBpf.btfTypeById(handle, id).reinterpret(BTF_TYPE_SIZE);
        int info = head.get(ValueLayout.JAVA_INT, 4);
        boolean kflag = (info >>> 31) != 0;
        int n = info & 0xffff;
        MemorySegment t = type(id, n, BTF_MEMBER_SIZE);
        long size = Integer.toUnsignedLong(t.get(ValueLayout.JAVA_INT, 8));
        List<Member> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long base = BTF_TYPE_SIZE + (long) i * BTF_MEMBER_SIZE;
            String memberName = LibBpf.btfNameByOffset(handle, t.get(ValueLayout.JAVA_INT, base));
            int typeId = t.get(ValueLayout.JAVA_INT, base + 4);
            int rawOffset = t.get(ValueLayout.JAVA_INT, base + 8);
            int bitOffset = kflag ? rawOffset & 0xffffff : rawOffset;
            int bitfield = kflag ? rawOffset >>> 24 : 0;
            long memberSize = LibBpf.btfResolveSize(handle, typeId);
            members.add(new Member(memberName, bitOffset / 8, memberSize, bitfield));
        }
        return Optional.of(new Struct(name, size, List.copyOf(members)));
    }

    public Optional<Variable> datasecVariable(String section, String variable) {
        int id = find(section, KIND_DATASEC);
        if (id <= 0) {
            return Optional.empty();
        }
        MemorySegment head = LibBpf.btfTypeById(handle, id).reinterpret(BTF_TYPE_SIZE);
        int n = vlen(head);
        MemorySegment t = type(id, n, BTF_VAR_SECINFO_SIZE);
        for (int i = 0; i < n; i++) {
            long base = BTF_TYPE_SIZE + (long) i * BTF_VAR_SECINFO_SIZE;
            int varId = t.get(ValueLayout.JAVA_INT, base);
            MemorySegment var = LibBpf.btfTypeById(handle, varId).reinterpret(BTF_TYPE_SIZE);
            String varName = LibBpf.btfNameByOffset(handle, var.get(ValueLayout.JAVA_INT, 0));
            if (variable.equals(varName)) {
                return Optional.of(new Variable(varName, t.get(ValueLayout.JAVA_INT, base + 4), t.get(ValueLayout.JAVA_INT, base + 8)));
            }
        }
        return Optional.empty();
    }

}
