package dev.jbpf.cli;

import picocli.CommandLine.Option;

/** Options every command takes: JSON output and debugging. */
final class CommonOptions {
    @Option(names = {"-j", "--json"}, description = "Print JSON (in bpftool's shapes).")
    boolean json;

    @Option(names = {"-p", "--pretty"}, description = "Print indented JSON (implies --json).")
    boolean pretty;

    @Option(names = "--debug", description = "Print libbpf's debug messages and stack traces of failures.")
    boolean debug;

    boolean json() {
        return json || pretty;
    }
}
