package dev.vigil.cli;

import dev.vigil.rules.Rules;
import picocli.CommandLine.Command;

/** Lists what Vigil supports, like {@code falco --list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List what Vigil supports.",
        subcommands = ListCommand.Fields.class)
final class ListCommand {

    @Command(name = "fields", mixinStandardHelpOptions = true,
            description = "The fields rule conditions and outputs can use: name, type, description.")
    static final class Fields implements Runnable {
        @Override
        public void run() {
            Rules.printFields(System.out);
        }
    }
}
