package dev.vigil.cli;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.Preflight;
import dev.vigil.ebpf.feature.FeatureUnsupportedException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command. Exit codes: 0 ok, 1 findings or internal errors, 2 usage and environment problems. */
@Command(name = "vigil", mixinStandardHelpOptions = true, versionProvider = Vigil.Version.class,
        description = "eBPF runtime security and tracing.")
public final class Vigil implements Runnable {
    /**
     * Every command but help. Kept out of the annotation so that {@link #execute} can build only the command a call
     * names: picocli instantiates each subcommand and reflects over its options, and with thirty tools that took
     * half the start of a tool (issue #11: launch to first event).
     */
    static final List<Class<?>> COMMANDS = List.of(
            RunCommand.class,
            ConfigCommand.class,
            RulesCommand.class,
            ListCommand.class,
            CaptureCommand.class,
            ReplayCommand.class,
            ExecSnoopCommand.class,
            FeaturesCommand.class,
            OpenSnoopCommand.class,
            ExitSnoopCommand.class,
            StatSnoopCommand.class,
            SigSnoopCommand.class,
            SigSnoopCommand.KillSnoop.class,
            SysCountCommand.class,
            CapableCommand.class,
            OomKillCommand.class,
            MountSnoopCommand.class,
            BindSnoopCommand.class,
            ProfileCommand.class,
            OffCpuTimeCommand.class,
            TcpConnectCommand.class,
            TcpLifeCommand.class,
            TcpAcceptCommand.class,
            RunQLatCommand.class,
            BioLatencyCommand.class,
            TcpRetransCommand.class,
            TcpConnLatCommand.class,
            BioSnoopCommand.class,
            FuncLatencyCommand.class,
            GetHostLatencyCommand.class,
            RunQLenCommand.class,
            TcpRttCommand.class,
            PolicyCommand.class,
            FlowsCommand.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FINDINGS = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see vigil --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        // One-line log records: libbpf's warnings arrive through java.util.logging.
        System.setProperty("java.util.logging.SimpleFormatter.format", "vigil: %4$s: %5$s%6$s%n");
        CommandLine cli = commandLine(args.length == 0 ? null : args[0]);
        cli.setExecutionExceptionHandler(Vigil::handleError);
        CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, a) -> e.getCommandLine().getCommand() instanceof ToolCommand
                ? toolBadFlag(e) : usage.handleParseException(e, a));
        return cli.execute(args);
    }

    /**
     * The command line for a call whose first argument is {@code first}: only the command it names when it names
     * one, else every command (help, a usage error's "did you mean", {@code --help}, {@code --version}).
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new Vigil());
        Class<?> named = first == null ? null : COMMANDS.stream().filter(c -> names(c).contains(first)).findFirst()
                .orElse(null);
        if (named != null) {
            cli.addSubcommand(named);
        } else {
            COMMANDS.forEach(cli::addSubcommand);
            cli.addSubcommand(CommandLine.HelpCommand.class);
        }
        return cli;
    }

    private static List<String> names(Class<?> command) {
        Command c = command.getAnnotation(Command.class);
        List<String> names = new ArrayList<>(List.of(c.aliases()));
        names.add(c.name());
        return names;
    }

    /**
     * Tool commands (BCC-style) answer a bad flag with one line naming it and exit 2, as the C tools do;
     * the others keep picocli's message followed by the usage.
     */
    static int toolBadFlag(CommandLine.ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        err.println(name + ": " + e.getMessage() + " (Usage: " + name + " --help)");
        err.flush();
        return EXIT_USAGE;
    }

    /** Turns a failure into one clear line on stderr (no stack trace) and an exit code. */
    static int handleError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String prefix = cmd.getCommandSpec().qualifiedName(); // e.g. "vigil rules validate"
        int code;
        String message;
        if (e instanceof Preflight.EnvironmentException || e instanceof FeatureUnsupportedException) {
            code = EXIT_USAGE;
            message = e.getMessage();
        } else if (e instanceof BpfException) {
            code = EXIT_USAGE; // the kernel or libbpf refused: an environment problem, not a finding
            message = e.getMessage();
        } else if (e instanceof IllegalArgumentException) {
            code = EXIT_USAGE;
            message = e.getMessage();
        } else {
            code = EXIT_FINDINGS;
            message = "internal error: " + e + " (set VIGIL_DEBUG=1 for the stack trace)";
        }
        err.println(prefix + ": " + message);
        if ("1".equals(System.getenv("VIGIL_DEBUG"))) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Vigil.class.getPackage().getImplementationVersion();
            return new String[] {"vigil " + (v == null ? "development build" : v)};
        }
    }
}
