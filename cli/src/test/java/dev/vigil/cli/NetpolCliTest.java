package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.pin.PinnedLink;
import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.policy.cilium.NetpolFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network policy through {@code vigil run --policy}: enforced on a real container, flows on GET /flows and in
 * {@code vigil flows}, still enforced after SIGKILL of the agent, adopted by the next one, and gone (no link of
 * Vigil's left in the kernel) after {@code vigil policy remove}.
 */
class NetpolCliTest {
    static NetpolFixture fx;
    @TempDir Path dir;

    @BeforeAll
    static void up() throws Exception {
        KernelTests.assumeKernel();
        fx = new NetpolFixture();
    }

    @AfterAll
    static void down() throws Exception {
        if (fx != null) {
            CliProcess.start("policy", "remove", "-o", "policy.pin_root=" + fx.pinRoot).waitFor(60);
            fx.close();
        }
    }

    private List<String> runArgs(Path policy, Path rules, int port) {
        return List.of("run", "--policy", policy.toString(), "-r", rules.toString(), "-o", "webserver.listen_port=" + port,
                "-o", "policy.pin_root=" + fx.pinRoot, "-o", "policy.cgroup_root=" + fx.cgroupRoot,
                "-o", "container_engines.docker.socket=" + fx.docker.socket, "-o", "stdout_output.enabled=false");
    }

    private static void awaitEnforcing(CliProcess cli, int port, String containerId) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (RunCliTest.status(port, "/healthz") != 200 || !RunCliTest.body(port, "/policies").contains(containerId.substring(0, 12))) {
            assertThat(cli.process.isAlive()).as("vigil exited: " + cli.err()).isTrue();
            assertThat(System.nanoTime()).as("not enforcing; stderr: " + cli.err()).isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    void enforcementSurvivesSigkillIsAdoptedAndRemoved() throws Exception {
        NetpolFixture.Box web = fx.start("app=web").wire();
        Path policy = dir.resolve("web.yaml");
        Files.writeString(policy, """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: web-egress
                spec:
                  endpointSelector:
                    matchLabels:
                      app: web
                  egress:
                  - toCIDR: [203.0.113.0/24]
                    toPorts:
                    - ports: [{port: "8080", protocol: TCP}]
                """);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "- list: vigil_netpol_test_nothing\n  items: []\n");
        int port = RunCliTest.freePort();

        CliProcess first = CliProcess.start(runArgs(policy, rules, port).toArray(String[]::new));
        awaitEnforcing(first, port, web.id);
        assertThat(web.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused");
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!RunCliTest.body(port, "/flows").contains("\"DROPPED\"")) {
            assertThat(System.nanoTime()).as("a DROPPED flow on /flows").isLessThan(end);
            Thread.sleep(20);
        }
        CliProcess flows = CliProcess.start("flows", "--no-follow", "--verdict", "DROPPED", "-o", "webserver.listen_port=" + port);
        assertThat(flows.waitFor(60)).as(flows.err()).isZero();
        assertThat(flows.out()).contains("-> 203.0.113.1:9000 egress DROPPED (POLICY_DENIED)").contains("policy=web-egress")
                .doesNotContain(":8080 ");
        CliProcess show = CliProcess.start("policy", "show", "-o", "webserver.listen_port=" + port);
        assertThat(show.waitFor(60)).as(show.err()).isZero();
        assertThat(show.out()).contains("web-egress").contains("egress=default deny").contains(web.id.substring(0, 12));
        assertThat(RunCliTest.body(port, "/metrics")).contains("vigil_policy_flows_total{verdict=\"DROPPED\",direction=\"EGRESS\",policy=\"web-egress\"} ");

        List<Long> links = linkIds();
        assertThat(links).hasSize(8).allMatch(PinnedLink::exists);
        first.signal("KILL");
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // no agent: the pinned programs keep enforcing
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM");
        assertThat(web.connect(NetpolFixture.HOST, 8080)).isEqualTo("refused");
        CliProcess orphan = CliProcess.start("policy", "show", "-o", "policy.pin_root=" + fx.pinRoot, "-o", "webserver.listen_port=" + port);
        assertThat(orphan.waitFor(60)).isZero();
        assertThat(orphan.out()).contains("no agent is running; pinned state under " + fx.pinRoot + " stays in force").contains("links/connect4 (link)");

        CliProcess second = CliProcess.start(runArgs(policy, rules, port).toArray(String[]::new));
        awaitEnforcing(second, port, web.id);
        assertThat(second.err()).contains("adopted the pinned CiliumNetworkPolicy state under " + fx.pinRoot);
        assertThat(linkIds()).isEqualTo(links); // the same programs: adopted, not reloaded
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM");
        second.signal("TERM");
        assertThat(second.waitFor(60)).as(second.err()).isZero();
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("EPERM"); // a clean exit leaves it pinned too

        CliProcess remove = CliProcess.start("policy", "remove", "-o", "policy.pin_root=" + fx.pinRoot, "-o", "webserver.listen_port=" + port);
        assertThat(remove.waitFor(60)).as(remove.err()).isZero();
        assertThat(remove.out()).contains("removed ").contains(" pins under " + fx.pinRoot);
        assertThat(Files.exists(fx.pinRoot)).isFalse();
        assertThat(links).noneMatch(PinnedLink::exists);
        String bpftool = NetpolFixture.run("bpftool link show").out();
        for (long id : links) assertThat(bpftool).doesNotContainPattern("(?m)^" + id + ": ");
        assertThat(web.connect(NetpolFixture.HOST, 9000)).isEqualTo("refused"); // nothing enforces any more
    }

    private static List<Long> linkIds() {
        List<Long> ids = new ArrayList<>();
        for (String l : new String[] {"connect4", "connect6", "sendmsg4", "sendmsg6", "sock_create", "ingress", "post_bind4", "post_bind6"}) {
            try (PinnedLink link = PinnedLink.open(fx.pinRoot.resolve("netpol/links/" + l))) {
                ids.add(link.linkId());
            }
        }
        return ids;
    }
}
