package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathsTest {
    @Test
    void memfdExecutablesAreNamedAsFalcoNamesThem() {
        // the kernel's d_path: "/memfd:NAME (deleted)"; Falco's proc.exepath: "memfd:NAME"
        assertThat(Paths.exePath("/memfd:runc_cloned:/proc/self/exe (deleted)")).isEqualTo("memfd:runc_cloned:/proc/self/exe");
        assertThat(Paths.exePath("/memfd:payload")).isEqualTo("memfd:payload");
        assertThat(Paths.exePath("/usr/bin/memfd:x")).isEqualTo("/usr/bin/memfd:x");
        assertThat(Paths.exePath("/tmp/x (deleted)")).isEqualTo("/tmp/x (deleted)");
        assertThat(Paths.exePath(null)).isNull();
    }
}
