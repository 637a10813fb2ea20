package dev.vigil.cli;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.policy.PinStore;
import dev.vigil.policy.Policy;
import dev.vigil.policy.PolicyException;
import dev.vigil.policy.PolicyLoader;
import dev.vigil.policy.PolicySet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Policy files and the pinned enforcement state: validate without a kernel, show what the agent enforces, remove. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Network and enforcement policies (CiliumNetworkPolicy, ...; see policy/README.md).",
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Show.class, PolicyCommand.Remove.class})
final class PolicyCommand {

    /** The options that say where the running agent and the pins are. */
    static final class Where {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default /etc/vigil/vigil.yaml if present).")
        Path configFile;

        @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
        List<String> overrides = new ArrayList<>();

        AgentConfig config() {
            return RunCommand.config(configFile, overrides, List.of(), false);
        }

        PinStore store() {
            return PinStore.resolve(config().string("policy.pin_root"));
        }

        /** The running agent's answer to GET path, or null when no agent answers. */
        String get(String path) {
            AgentConfig c = config();
            if (!c.bool("webserver.enabled")) return null;
            URI uri = URI.create("http://" + c.string("webserver.listen_address") + ":" + c.integer("webserver.listen_port") + path);
            try {
                HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                        .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? r.body() : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check policy files (or folders of *.yaml) without a kernel.",
                "Each problem is printed as FILE:LINE:COL: message; exit 1 if there is any."})
    static final class Validate implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy files or folders.")
        List<Path> files;

        @Override
        public Integer call() {
            PolicySet set;
            try {
                set = PolicyLoader.installed().load(files);
            } catch (PolicyException e) {
                e.problems().forEach(System.out::println);
                System.out.printf("invalid: %d problem%s%n", e.problems().size(), e.problems().size() == 1 ? "" : "s");
                return Vigil.EXIT_FINDINGS;
            }
            for (Policy p : set.all()) {
                System.out.println(p.position() + ": " + (p.documentKind() != null ? p.documentKind() : p.getClass().getSimpleName()) + " " + p.name() + (p.audit() ? " (audit)" : ""));
            }
            System.out.printf("ok: %d polic%s%n", set.size(), set.size() == 1 ? "y" : "ies");
            return Vigil.EXIT_OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print what the running agent enforces, per kind and container (GET /policies).",
                "With no agent running, lists the pinned state an earlier run left in force."})
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();

        @Option(names = "--json", description = "The agent's JSON as it is.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String body = where.get("/policies");
            if (body == null) {
                PinStore store = where.store();
                Map<String, List<Path>> pinned = store.pinned();
                if (pinned.isEmpty()) {
                    System.out.println("no agent is running and nothing is pinned under " + store.root());
                } else {
                    System.out.println("no agent is running; pinned state under " + store.root() + " stays in force:");
                    pinned.forEach((kind, pins) -> {
                        System.out.println("  " + kind + ":");
                        for (Path p : pins) System.out.println("    " + store.root().relativize(p) + " (" + PinDirectory.kindAt(p).name().toLowerCase(java.util.Locale.ROOT) + ")");
                    });
                    System.out.println("(vigil policy remove takes it away)");
                }
                return Vigil.EXIT_OK;
            }
            if (json) {
                System.out.print(body);
                return Vigil.EXIT_OK;
            }
            PolicyShow.print(body, System.out);
            return Vigil.EXIT_OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Take all pinned policy state out of the kernel (programs detach, maps go).",
                "Stop the agent first, or it goes on enforcing with what it holds; vigil run --unload-policy-on-exit does this at exit."})
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();

        @Override
        public Integer call() {
            PinStore store = where.store();
            if (where.get("/healthz") != null) {
                System.err.println("vigil policy remove: warning: an agent is running; it keeps enforcing until it stops");
            }
            int n = store.remove();
            System.out.println(n == 0 ? "nothing pinned under " + store.root() : "removed " + n + " pins under " + store.root());
            return Vigil.EXIT_OK;
        }
    }
}
