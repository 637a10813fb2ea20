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
        subcommands = RulesCommand.Validate.class)
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
}
