/**
 * A sampling CPU profiler over BPF: {@link dev.jbpf.tools.profile.StackProfiler} attaches a
 * {@code perf_event} program (bpf-src/profile.bpf.c, packaged in this jar) to a clock on every CPU, counts samples
 * by kernel and user stack, and returns a {@link dev.jbpf.tools.profile.Profile} with the stacks
 * symbolised, each frame with its {@link dev.jbpf.tools.profile.Profile.FrameKind kind} and
 * address: kernel addresses by {@link dev.jbpf.kallsyms.KernelSymbols} (/proc/kallsyms), user
 * addresses by {@link dev.jbpf.tools.profile.UserSymbols} (the ELF symbols of the files a process
 * maps, C++ names demangled by {@link dev.jbpf.elf.CxxDemangler}, and a JIT's perf map,
 * /tmp/perf-PID.map, for its code; a JVM's is written on request through
 * {@link dev.jbpf.tools.jvm.JvmProcess#writePerfMap()}). {@link dev.jbpf.tools.profile.FlameGraph} draws a profile as SVG, coloured by
 * the kinds of its frames.
 *
 * <p>Native memory: only {@link dev.jbpf.tools.profile.StackProfiler#run} holds any (the loaded
 * object, its links and perf events), and it closes all of it before returning. Everything
 * else here is plain Java data.
 */
package dev.jbpf.tools.profile;
