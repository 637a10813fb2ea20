package dev.vigil.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.ebpf.btf.LayoutMismatchException;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.testing.KernelTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObjectLifecycleTest {

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    @Test
    void layoutViewMatchesTheObjectsBtf() {
        try (BpfObject obj = TestObjects.openMaps()) {
            TestObjects.TEST_RECORD.verify(obj.btf());
        }
    }

    @Test
    void aWrongLayoutViewIsRefusedNamingTheField() {
        StructView wrong = StructView.builder("test_record", 64)
                .field("seq", 0, 8).field("pid", 8, 4).field("cpu", 16, 4).build();
        try (BpfObject obj = TestObjects.openMaps()) {
            assertThatThrownBy(() -> wrong.verify(obj.btf()))
                    .isInstanceOf(LayoutMismatchException.class)
                    .hasMessageContaining("field 'cpu'")
                    .hasMessageContaining("offset 12")
                    .satisfies(e -> assertThat(((LayoutMismatchException) e).field()).isEqualTo("cpu"));
            StructView wrongSize = StructView.builder("test_record", 72).build();
            assertThatThrownBy(() -> wrongSize.verify(obj.btf())).hasMessageContaining("is 64 bytes");
            StructView missing = StructView.builder("test_record", 64).field("nope", 0, 8).build();
            assertThatThrownBy(() -> missing.verify(obj.btf())).hasMessageContaining("no field 'nope'");
        }
    }

    @Test
    void unknownProgramAndMapNamesListWhatExists() {
        try (BpfObject obj = TestObjects.openMaps()) {
            assertThatThrownBy(() -> obj.program("no_such_prog"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("no program named 'no_such_prog'")
                    .hasMessageContaining("burst");
            assertThatThrownBy(() -> obj.map("nope")).hasMessageContaining("has no map named 'nope'").hasMessageContaining("hash");
        }
    }

    @Test
    void constantsAreSetBeforeLoadOnly() {
        try (BpfObject obj = TestObjects.openMaps()) {
            assertThatThrownBy(() -> obj.setConstant("no_such_const", 1)).hasMessageContaining("no const volatile variable 'no_such_const'");
            obj.setConstant("records_per_call", 3);
            obj.load();
            assertThatThrownBy(() -> obj.setConstant("records_per_call", 4)).hasMessageContaining("before load");
        }
    }

    @Test
    void verifierRejectionNamesTheProgramAndShowsTheLog() {
        try (BpfObject obj = BpfObject.openResource(TestObjects.REJECTED)) {
            assertThatThrownBy(obj::load)
                    .isInstanceOfSatisfying(ProgramLoadException.class, e -> {
                        assertThat(e.programName()).isEqualTo("rejected_prog");
                        assertThat(e.verifierLog()).contains("invalid mem access");
                        assertThat(e.getMessage()).contains("refused program 'rejected_prog'").contains("verifier log");
                    });
        }
    }

    @Test
    void aClosedObjectRefusesFurtherUse() {
        BpfObject obj = TestObjects.openMaps();
        obj.load();
        BpfMap hash = obj.map("hash");
        BpfProgram prog = obj.program("burst");
        obj.close();
        obj.close(); // idempotent
        assertThatThrownBy(() -> obj.map("hash")).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> hash.lookup(BpfMap.u32(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(prog::fd).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClosedLinkRefusesUseAndClosingTheObjectDetachesLeftovers() {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.load();
            Link link = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid");
            assertThat(link.fd()).isPositive();
            link.close();
            link.close();
            assertThatThrownBy(link::fd).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            Link leftover = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid");
            obj.close();
            assertThat(leftover.isClosed()).isTrue();
        }
    }

    @Test
    void attachingBeforeLoadIsAClearError() {
        try (BpfObject obj = TestObjects.openMaps()) {
            assertThatThrownBy(() -> obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid"))
                    .hasMessageContaining("not loaded yet");
        }
    }

    @Test
    void openingAndClosing200TimesLeaksNoFdAndNoProgram() throws Exception {
        // Warm up once so lazily opened JDK/native fds are not counted as leaks.
        cycle();
        long fdsBefore = openFds();
        int progsBefore = kernelProgramsNamed("burst");
        for (int i = 0; i < 200; i++) {
            cycle();
        }
        // a leak adds fds; the JVM may close one of its own meanwhile (seen: 31 after 32), which is no leak
        assertThat(openFds()).isLessThanOrEqualTo(fdsBefore);
        assertThat(kernelProgramsNamed("burst")).isEqualTo(progsBefore);
    }

    private static void cycle() {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.load();
            obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid");
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static int kernelProgramsNamed(String name) throws Exception {
        Process p = new ProcessBuilder("bpftool", "-j", "prog", "show").redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        JsonNode progs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        int n = 0;
        for (JsonNode prog : progs) {
            if (name.equals(prog.path("name").asText())) {
                n++;
            }
        }
        return n;
    }
}
