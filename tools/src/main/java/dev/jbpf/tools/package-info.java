/**
 * Ready-made BPF tools built on the library (dev.jbpf): each pairs a BPF object of bpf-src/ with
 * the Java that loads it and reads its results, so that an application (or the {@code jbpf}
 * command, which only parses options and prints) gets a finished tool. The objects are resources
 * of this module's jar, opened by {@link dev.jbpf.tools.BundledObjects}.
 *
 * <ul>
 * <li>{@link dev.jbpf.tools.profile}: a sampling CPU profiler and its flame graphs
 *     ({@code jbpf profile});</li>
 * <li>{@link dev.jbpf.tools.tcptrack}: bytes sent and received per TCP socket
 *     ({@code jbpf tcptrack});</li>
 * <li>{@link dev.jbpf.tools.jvm}: another JVM's garbage collections, threads, classes, JIT
 *     compilations, allocations and contended monitors from HotSpot's USDT probes
 *     ({@code jbpf jvm}).</li>
 * </ul>
 *
 * <p>Native memory: a tool owns the object it loaded (and through it its links and map fds)
 * until it is closed or, for run-to-completion tools, until its run returns; the results it
 * hands back are plain Java data.
 */
package dev.jbpf.tools;
