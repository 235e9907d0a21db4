package dev.jbpf.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf completion [bash|zsh]}: the shell completion script of the whole command tree
 * (picocli's AutoComplete), for {@code source <(jbpf completion bash)}; make build writes it to
 * build/completion/jbpf.bash.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print the shell completion script of every jbpf command: source <(jbpf completion bash); "
                + "in zsh, autoload -U bashcompinit && bashcompinit first.")
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELL", description = "bash (default) or zsh.")
    String shell = "bash";

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new UsageException("unknown shell '" + shell + "': bash or zsh (e.g. jbpf completion bash)");
        }
        // the whole tree, whatever this command line built
        CommandLine tree = Main.commandLine(new String[0]);
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash("jbpf", tree));
        out.flush();
        return Main.EXIT_OK;
    }
}
