/**
 * The {@code jbpf} command (picocli): {@code load}, {@code attach}, {@code prog}, {@code map},
 * {@code link}, {@code btf}, {@code feature}, {@code gen}, {@code profile}, {@code tcptrack}, {@code export} and
 * more, in bpftool's spirit. An application, not a library: it exports nothing. It parses and
 * prints; the work is in {@code dev.jbpf.loader}, {@code dev.jbpf.tools} and
 * {@code dev.jbpf.codegen}.
 */
module dev.jbpf.cli {
    requires dev.jbpf.loader;
    requires dev.jbpf.tools;
    requires dev.jbpf.codegen;
    requires dev.jbpf.exporter;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires java.logging;
    requires jdk.unsupported; // sun.misc.Signal: SIGHUP reloads jbpf export's configs

    // picocli sets the commands' annotated fields reflectively; Jackson writes the values
    // Output.json(...) is given through their accessors
    opens dev.jbpf.cli to info.picocli, com.fasterxml.jackson.databind;
}
