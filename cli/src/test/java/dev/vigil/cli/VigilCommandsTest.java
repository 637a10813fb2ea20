package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A call builds only the command it names; everything else (help, typos, --version) sees all of them. */
class VigilCommandsTest {
    @Test
    void aNamedCommandIsTheOnlyOneBuilt() {
        assertThat(Vigil.commandLine("opensnoop").getSubcommands()).containsOnlyKeys("opensnoop");
        assertThat(Vigil.commandLine("killsnoop").getSubcommands()).containsOnlyKeys("killsnoop");
        assertThat(Vigil.commandLine("policy").getSubcommands()).containsOnlyKeys("policy");
    }

    @Test
    void everyCommandIsReachableByItsOwnNameAndHelpSeesThemAll() {
        CommandLine all = Vigil.commandLine(null);
        assertThat(all.getSubcommands()).hasSize(Vigil.COMMANDS.size() + 1).containsKey("help");
        for (Class<?> c : Vigil.COMMANDS) {
            String name = c.getAnnotation(CommandLine.Command.class).name();
            assertThat(Vigil.commandLine(name).getSubcommands()).as(name).containsOnlyKeys(name);
        }
        assertThat(Vigil.commandLine("help").getSubcommands()).containsKeys("help", "run", "opensnoop");
    }

    @Test
    void aMistypedCommandStillGetsItsSuggestion() {
        CommandLine cli = Vigil.commandLine("opensnop");
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("opensnop")).isEqualTo(Vigil.EXIT_USAGE);
        assertThat(err.toString()).contains("Did you mean: vigil opensnoop");
    }
}
