/**
 * Bytes sent and received per TCP socket ({@code jbpf tcptrack}): {@link
 * dev.jbpf.tools.tcptrack.TcpTracker} loads a kprobe or a tracepoint variant of the tracker object,
 * attaches it and reads its per-socket counters, decoded through the object's BTF. The tracker owns
 * the loaded object (its links and map fds) until it is closed; the connections it returns are plain
 * Java records.
 */
package dev.jbpf.tools.tcptrack;
