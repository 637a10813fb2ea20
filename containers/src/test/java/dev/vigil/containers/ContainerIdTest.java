package dev.vigil.containers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerIdTest {
    static final String ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    static final String ID2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static void assertContainer(String path, String runtime, String fullId) {
        ContainerId c = ContainerId.parse(path);
        assertThat(c).as(path).isNotNull();
        assertThat(c.runtime()).as(path).isEqualTo(runtime);
        assertThat(c.fullId()).as(path).isEqualTo(fullId);
        assertThat(c.shortId()).as(path).isEqualTo(fullId.substring(0, 12)).hasSize(12);
        // the same through a non-String CharSequence (the sensor may hand a view)
        ContainerId viaBuilder = ContainerId.parse(new StringBuilder(path));
        assertThat(viaBuilder).isEqualTo(c);
    }

    @Test void dockerCgroupfs() {
        assertContainer("/docker/" + ID, ContainerId.DOCKER, ID);
        assertContainer("/docker/" + ID + "/", ContainerId.DOCKER, ID);
        assertContainer("/docker/" + ID + "/init.scope", ContainerId.DOCKER, ID);
        assertContainer("/some/parent/docker/" + ID, ContainerId.DOCKER, ID);
    }

    @Test void dockerInDockerInnermostWins() {
        assertContainer("/docker/" + ID + "/docker/" + ID2, ContainerId.DOCKER, ID2);
    }

    @Test void dockerSystemd() {
        assertContainer("/system.slice/docker-" + ID + ".scope", ContainerId.DOCKER, ID);
        assertContainer("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/docker-" + ID + ".scope",
                ContainerId.DOCKER, ID);
    }

    @Test void containerd() {
        assertContainer("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b6d_a1.slice/cri-containerd-" + ID + ".scope",
                ContainerId.CONTAINERD, ID);
        assertContainer("/system.slice/cri-containerd-" + ID + ".scope", ContainerId.CONTAINERD, ID);
    }

    @Test void crio() {
        assertContainer("/kubepods.slice/kubepods-pod1.slice/crio-" + ID + ".scope", ContainerId.CRIO, ID);
        assertContainer("/crio-" + ID + ".scope", ContainerId.CRIO, ID);
    }

    @Test void podman() {
        assertContainer("/machine.slice/libpod-" + ID + ".scope", ContainerId.PODMAN, ID);
        assertContainer("/machine.slice/libpod-" + ID + ".scope/container", ContainerId.PODMAN, ID);
        assertContainer("/libpod_parent/libpod-" + ID, ContainerId.PODMAN, ID);
        assertContainer("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope",
                ContainerId.PODMAN, ID);
    }

    @Test void kubepodsCgroupfs() {
        assertContainer("/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-000000000000/" + ID, ContainerId.CRI, ID);
        assertContainer("/kubepods/pod0f1e/" + ID, ContainerId.CRI, ID);
    }

    @Test void containerdCriWithoutCgroupParent() {
        // containerd's CRI puts a container with no cgroup parent under its namespace, k8s.io
        assertContainer("/k8s.io/" + ID, ContainerId.CONTAINERD, ID);
        assertContainer("/system.slice/containerd.service/k8s.io/" + ID, ContainerId.CONTAINERD, ID);
    }

    static java.util.List<String> hostPathList() {
        return java.util.List.of(
            "", "/", "//", "/init.scope", "/user.slice/user-0.slice/session-1.scope",
            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-1234.scope",
            "/system.slice/docker.service", "/system.slice/containerd.service", "/system.slice/crio.service",
            "/process_api/76fcb037796bf1973a44f894df00f6ec", "/process_api/" + ID,
            "/docker", "/docker/", "/docker/abc", "/docker/" + ID + "0", "/docker/" + ID.substring(1),
            "/" + ID, "/system.slice/" + ID, "/k8s.io", "/k8s.io/" + ID.substring(1), "/default/" + ID, "/docker-" + ID, "/docker-" + ID + ".service",
            "/docker-" + ID + ".scopex", "/system.slice/docker-" + ID.toUpperCase() + ".scope",
            "/docker/" + ID.toUpperCase(), "/docker/" + ID.replace('f', 'g'),
            "/machine.slice/libpod-conmon-" + ID + ".scope", "/crio-conmon-" + ID + ".scope",
            "/crio-" + ID, "/cri-containerd-" + ID, "/libpod-" + ID + ".scop", "/libpod-" + ID + "x",
            "/notdocker/" + ID, "/dockerx/" + ID, "docker", "/kube/pod/" + ID,
            "/system.slice/cri-containerd-" + ID.substring(2) + ".scope");
    }

    @ParameterizedTest
    @MethodSource("hostPathList")
    void hostPaths(String path) {
        assertThat(ContainerId.parse(path)).as(path).isNull();
    }

    @Test void nullIsHost() {
        assertThat(ContainerId.parse(null)).isNull();
    }

    @Test void procCgroupFileAnyHierarchy() {
        String hybrid = """
                12:pids:/docker/%s
                4:memory:/process_api/76fcb037796bf1973a44f894df00f6ec
                1:name=systemd:/docker/%s
                0::/
                """.formatted(ID, ID);
        ContainerId c = ContainerId.fromProcCgroup(hybrid);
        assertThat(c).isNotNull();
        assertThat(c.fullId()).isEqualTo(ID);
        assertThat(ContainerId.fromProcCgroup("0::/system.slice/cri-containerd-" + ID + ".scope\n").runtime())
                .isEqualTo(ContainerId.CONTAINERD);
        assertThat(ContainerId.fromProcCgroup("""
                4:memory:/process_api/76fcb037796bf1973a44f894df00f6ec
                0::/
                """)).isNull();
        assertThat(ContainerId.fromProcCgroup("")).isNull();
        assertThat(ContainerId.fromProcCgroup("garbage without colons\n")).isNull();
    }

    @Test void thisProcessIsHost() {
        // every process here sits in a /process_api/<32 hex> memory cgroup: not a container
        assertThat(ContainerId.ofPid((int) ProcessHandle.current().pid())).isNull();
        assertThat(ContainerId.ofPid(Integer.MAX_VALUE)).isNull();
    }

    @Test void ofValidates() {
        assertThat(ContainerId.of(ContainerId.DOCKER, ID).shortId()).isEqualTo(ID.substring(0, 12));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContainerId.of(ContainerId.DOCKER, "abc"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
