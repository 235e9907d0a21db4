package dev.jbpf.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command takes: JSON output and debugging. */
final class CommonOptions {
    @Option(names = {"-j", "--json"}, description = "Print JSON (in bpftool's shapes).")
    boolean json;

    @Option(names = {"-p", "--pretty"}, description = "Print indented JSON (implies --json).")
    boolean pretty;

    @Option(names = "--debug", description = "Print libbpf's debug messages and stack traces of failures.")
    boolean debug;

    /** The command these options belong to (for its output writer). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    boolean json() {
        return json || pretty;
    }

    /**
     * The end of a command that prints nothing when it succeeds (pin, update, delete...): with
     * -j it prints {@code null}, as bpftool does, so that a script reading JSON always gets a
     * document.
     */
    int doneSilently() {
        if (json()) {
            command.commandLine().getOut().println("null");
            command.commandLine().getOut().flush();
        }
        return Main.EXIT_OK;
    }
}
