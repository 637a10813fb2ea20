package dev.vigil.cli;

import dev.vigil.rules.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Rule-file commands that need no kernel. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with Falco-language rule files.",
        subcommands = {RulesCommand.Validate.class, RulesCommand.Explain.class})
final class RulesCommand {

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check rule files (loaded together, in order) without a kernel.",
                "Each problem is printed as FILE:LINE:COL: message; exit 1 if any is an error."})
    static final class Validate implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Rule files (YAML), in load order.")
        List<Path> files;

        @Override
        public Integer call() {
            for (Path f : files) {
                if (!Files.isReadable(f)) {
                    throw new IllegalArgumentException(f + ": cannot read the file");
                }
            }
            Rules.Validation v = Rules.validate(files);
            v.print(System.out);
            long errors = v.diagnostics().stream().filter(d -> d.isError()).count();
            long warnings = v.diagnostics().size() - errors;
            System.out.printf("%s: %d file%s, %d error%s, %d warning%s%n", errors == 0 ? "ok" : "invalid",
                    files.size(), files.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                    warnings, warnings == 1 ? "" : "s");
            return v.exitCode();
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {"Print the in-kernel prefilter the agent derives from the rules (issue #17), per event type:",
                "what of the open family is written to the ring. Types not listed pass whole. No kernel needed."})
    static final class Explain implements Callable<Integer> {
        @picocli.CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file (default /etc/vigil/vigil.yaml if present).")
        Path configFile;

        @picocli.CommandLine.Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Override a configuration key.")
        List<String> overrides = new java.util.ArrayList<>();

        @Parameters(arity = "0..*", paramLabel = "FILE", description = "Rule files (default: the configured ones, or the bundled stable rules).")
        List<Path> files = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            for (Path f : files) {
                if (!Files.isReadable(f)) throw new IllegalArgumentException(f + ": cannot read the file");
            }
            var cfg = RunCommand.config(configFile, overrides, files, false, List.of());
            var p = dev.vigil.agent.Agent.explainPrefilter(cfg);
            if (p.byType().isEmpty()) System.out.println("no prefilter: every selected event is written to the ring");
            System.out.print(p.explain());
            return 0;
        }
    }
}
