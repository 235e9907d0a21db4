/**
 * The {@code jbpf} command (picocli): one class per command group ({@code load}, {@code attach},
 * {@code prog}, {@code map}, {@code link}, {@code obj}, {@code gen}, {@code feature}, {@code profile},
 * {@code tcptrack}, {@code completion}) that parses its words, calls the library (dev.jbpf.*) or the
 * tools (dev.jbpf.tools.*) and prints text or bpftool-shaped JSON ({@code Output}). Not API: the
 * command line and its output are the interface. Every kernel object a command opens is closed
 * before it returns, except what it pins; exit codes: 0 done, 1 failed, 2 usage error.
 */
package dev.jbpf.cli;
