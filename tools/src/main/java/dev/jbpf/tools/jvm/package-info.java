/**
 * Another JVM's garbage collections, threads, class loading, JIT compilations, allocations and
 * monitor contention, from HotSpot's USDT probes (provider {@code hotspot} in libjvm.so), for the
 * {@code jbpf jvm} commands and for Java programs that watch a JVM from the outside.
 *
 * <p>{@link dev.jbpf.tools.jvm.JvmProcess} finds the JVM of a process id (its libjvm.so, from
 * /proc/PID/maps through /proc/PID/root), reads its flags and has it write its perf map (for
 * {@link dev.jbpf.tools.profile.StackProfiler}). Each tool loads one packaged
 * program (bpf-src/jvm_*.bpf.c) and attaches it to that libjvm.so's probes for that process only:
 * <ul>
 * <li>event streams, polled like a ring buffer ({@link dev.jbpf.tools.jvm.JvmEvents}):
 *     {@link dev.jbpf.tools.jvm.JvmGcEvents} ({@link dev.jbpf.tools.jvm.GcEvent} per pause),
 *     {@link dev.jbpf.tools.jvm.JvmThreadEvents}, {@link dev.jbpf.tools.jvm.JvmClassEvents},
 *     {@link dev.jbpf.tools.jvm.JvmCompileEvents};</li>
 * <li>counts kept in the kernel, read when asked: {@link dev.jbpf.tools.jvm.JvmAllocations} and
 *     {@link dev.jbpf.tools.jvm.JvmMonitors}, whose probes HotSpot fires only with
 *     {@code -XX:+DTraceAllocProbes} / {@code -XX:+DTraceMonitorProbes}: they check the target's
 *     flag first.</li>
 * </ul>
 *
 * <p>Native memory: each tool instance owns its loaded object, its links and its ring buffer until
 * {@code close()}; the events and counts it hands out are records in the Java heap. Records are
 * decoded through the BTF of the program's object ({@link dev.jbpf.btf.BtfRecordCodec}), so a
 * change of a C struct fails at {@code attach}.
 */
package dev.jbpf.tools.jvm;
