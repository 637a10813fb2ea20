package dev.vigil.ebpf;

import dev.vigil.ebpf.btf.StructView;

/** The library's test programs (src/test/bpf) and Java's view of their record. */
final class TestObjects {
    static final String MAPS = "/bpf/test_maps.bpf.o";
    static final String REJECTED = "/bpf/test_rejected.bpf.o";

    /** struct test_record in test_progs.h. */
    static final StructView TEST_RECORD = StructView.builder("test_record", 64)
            .field("seq", 0, 8)
            .field("pid", 8, 4)
            .field("cpu", 12, 4)
            .field("ts_ns", 16, 8)
            .field("pad", 24, 40)
            .build();

    private TestObjects() {}

    static BpfObject openMaps() {
        return BpfObject.openResource(MAPS);
    }
}
