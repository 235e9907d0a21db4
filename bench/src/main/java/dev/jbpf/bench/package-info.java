/**
 * The jbpf side of {@code make bench} (scripts/bench.sh): ring buffer, perf buffer, map and uprobe
 * measurements run in a fresh JVM per figure, printed as key=value lines the script compares with
 * the C libbpf programs of bench/*.c. Not API.
 */
package dev.jbpf.bench;
