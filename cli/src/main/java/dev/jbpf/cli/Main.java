package dev.jbpf.cli;

import dev.jbpf.BpfException;
import dev.jbpf.VerifierException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The {@code jbpf} command: loads, attaches and inspects BPF programs and maps, in bpftool's
 * spirit. Exit codes: 0 done, 1 the operation failed (a one-line error), 2 usage error.
 */
@Command(name = "jbpf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Load, attach and inspect eBPF programs and maps through libbpf.",
        subcommands = {LoadCommand.class, AttachCommand.class, MapCommand.class, ProgCommand.class, LinkCommand.class,
                ObjCommand.class, GenCommand.class, TcpTrackCommand.class, ProfileCommand.class, UsdtCommand.class,
                JvmCommand.class, ExportCommand.class, CompletionCommand.class, FeatureCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /** Held strongly: java.util.logging forgets loggers nobody references, and their levels with them. */
    private static final java.util.logging.Logger LIBBPF_LOG = java.util.logging.Logger.getLogger("dev.jbpf.libbpf");

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one jbpf command line with the given streams and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        showLibbpfMessages(java.util.Arrays.asList(args).contains("--debug"), err);
        CommandLine commandLine = commandLine(args);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExitCodeExceptionMapper(e -> EXIT_FAILED);
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        commandLine.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE);
        return commandLine.execute(args);
    }

    /**
     * The command model for this command line. picocli builds a command's model by reflection
     * (an annotation proxy per annotation, milliseconds per command in a new JVM), and the whole
     * tree would be most of a short command's run. So the model follows the words of the command
     * line down the tree: while a word names a subcommand of the command reached so far (other
     * than help), only that subcommand is built, under parents that have just their names; the
     * first command whose next word names none of its subcommands is built whole (with all its
     * subcommands), so that its help, its "did you mean" and its usage errors see all of them.
     * A command line that starts with an option gets the whole tree.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine root = null;
        CommandLine parent = null;
        Class<?> command = Main.class;
        for (String word : args) {
            Class<?> next = word.startsWith("-") ? null : subcommandNamed(command, word);
            if (next == null) {
                break;
            }
            CommandLine named = new CommandLine(CommandSpec.create().name(commandName(command)));
            if (parent == null) {
                root = named;
            } else {
                parent.addSubcommand(named);
            }
            parent = named;
            command = next;
        }
        CommandLine built = withHelp(command == Main.class ? new CommandLine(new Main()) : new CommandLine(command));
        if (parent == null) {
            return built;
        }
        parent.addSubcommand(built);
        return root;
    }

    private static String commandName(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** The subcommand class of command called name (or one of its aliases), or null; help never. */
    private static Class<?> subcommandNamed(Class<?> command, String name) {
        for (Class<?> subcommand : command.getAnnotation(Command.class).subcommands()) {
            Command annotation = subcommand.getAnnotation(Command.class);
            if (subcommand != CommandLine.HelpCommand.class && annotation != null
                    && (annotation.name().equals(name) || java.util.List.of(annotation.aliases()).contains(name))) {
                return subcommand;
            }
        }
        return null;
    }

    /**
     * Gives every command of the tree -h/--help (usage on stdout, exit 0, whatever else the
     * command line lacks): commands declared without picocli's standard help options get them
     * here, in one place.
     */
    static CommandLine withHelp(CommandLine commandLine) {
        CommandSpec spec = commandLine.getCommandSpec();
        if (spec.options().stream().noneMatch(OptionSpec::usageHelp)) {
            boolean shortNameFree = spec.findOption("-h") == null;
            String[] names = shortNameFree ? new String[] {"-h", "--help"} : new String[] {"--help"};
            spec.addOption(OptionSpec.builder(names).usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        commandLine.getSubcommands().values().forEach(Main::withHelp);
        return commandLine;
    }

    /** Usage errors: the reason and a hint, exit 2. */
    private static final class UsageErrorHandler implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("Error: " + firstLine(e.getMessage()));
            printExampleAndHint(cmd, err);
            return EXIT_USAGE;
        }
    }

    /** Under a usage error: one correct command line, and where the whole usage is. */
    static void printExampleAndHint(CommandLine cmd, PrintWriter err) {
        String example = UsageExamples.line(cmd);
        if (example != null) {
            err.println(example);
        }
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
    }

    /** Failures: a one-line error (the verifier's reason under it), exit 1; --debug adds the trace. */
    private static final class FailureHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            if (e instanceof UsageException) {
                err.println("Error: " + e.getMessage());
                printExampleAndHint(cmd, err);
                return EXIT_USAGE;
            }
            if (e instanceof VerifierException verifier) {
                err.println("Error: " + firstLine(verifier.getMessage()));
                verifier.reason().lines().forEach(line -> err.println("  " + line));
                verifier.diagnosis().describe(verifier.reason().lines().map(String::strip).toList())
                        .forEach(line -> err.println("  " + line));
                err.println("  (the whole verifier log: run with --debug or --verifier-log)");
            } else if (isFailure(e)) {
                err.println("Error: " + reason(e, matched(parsed, "--debug")));
            } else {
                err.println("Error: unexpected " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                        + " (run with --debug for details)");
            }
            if (e instanceof VerifierException verifier && (matched(parsed, "--debug") || matched(parsed, "--verifier-log"))) {
                err.println(verifier.log());
            }
            if (matched(parsed, "--debug")) {
                printStackTrace(e, err);
            }
            err.flush();
            return EXIT_FAILED;
        }

        /**
         * The stack trace under the error line, without the exception's message, which the
         * error line said already (with libbpf's lines, printed as they came, above it).
         */
        private static void printStackTrace(Throwable e, PrintWriter err) {
            err.println("Stack trace of the " + e.getClass().getName() + ":");
            for (StackTraceElement frame : e.getStackTrace()) {
                err.println("\tat " + frame);
            }
            for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
                err.println("Caused by: " + cause.getClass().getName() + ": " + firstLine(cause.getMessage()));
                for (StackTraceElement frame : cause.getStackTrace()) {
                    err.println("\tat " + frame);
                }
            }
        }

        private static boolean matched(ParseResult parsed, String option) {
            for (ParseResult sub = parsed; sub != null; sub = sub.subcommand()) {
                if (sub.hasMatchedOption(option)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The failures a command reports in one line (exit 1), as opposed to bugs (an unexpected exception). */
    static boolean isFailure(Exception e) {
        return e instanceof BpfException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof java.io.IOException || e instanceof UnsupportedOperationException;
    }

    /**
     * A failure's one-line reason. Each libbpf message is printed once: without --debug, libbpf's
     * explanation is part of this line; with --debug, libbpf's messages were printed as they
     * came, so the line leaves them out and points up to them.
     */
    static String reason(Exception e, boolean debug) {
        if (debug && e instanceof BpfException failure && failure.detail() != null
                && failure.detail().startsWith("libbpf: ")) {
            return firstLine(failure.headline()) + " (libbpf's messages above say why)";
        }
        return firstLine(e.getMessage());
    }

    /**
     * libbpf's own messages go to stderr only with --debug, each as it comes: without it,
     * nothing but errors is printed, and they carry libbpf's explanation in their one line
     * ({@link #reason}), so no libbpf line is printed twice.
     */
    private static void showLibbpfMessages(boolean debug, PrintWriter err) {
        LIBBPF_LOG.setUseParentHandlers(false);
        for (java.util.logging.Handler handler : LIBBPF_LOG.getHandlers()) {
            LIBBPF_LOG.removeHandler(handler);
        }
        if (!debug) {
            LIBBPF_LOG.setLevel(java.util.logging.Level.OFF);
            return;
        }
        LIBBPF_LOG.setLevel(java.util.logging.Level.ALL);
        LIBBPF_LOG.addHandler(new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                err.println(record.getMessage());
                err.flush();
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        });
    }

    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        return message.lines().findFirst().orElse(message).strip();
    }

    /** The version line: jbpf's and the libbpf it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String jbpf = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jbpf " + (jbpf == null ? "dev" : jbpf) + ", libbpf " + dev.jbpf.bindings.LibBpf.libraryVersion()};
        }
    }
}
