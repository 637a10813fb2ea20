package dev.vigil.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vigil config}: the agent's configuration. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "The agent's configuration.",
        subcommands = {ConfigCommand.Show.class})
final class ConfigCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (show)");
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective configuration (defaults, config file, -o overrides), each value with its origin.")
    static final class Show implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file; default /etc/vigil/vigil.yaml if present.")
        Path configFile;

        @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Option(names = {"-r", "--rules"}, paramLabel = "FILE", description = "Rule file (repeatable).")
        List<Path> rules = new ArrayList<>();

        @Option(names = "--json", description = "json_output=true.")
        boolean json;

        @Override
        public Integer call() {
            System.out.print(RunCommand.config(configFile, overrides, rules, json).toYaml());
            System.out.flush();
            return 0;
        }
    }
}
