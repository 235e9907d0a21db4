/**
 * A sampling CPU profiler over BPF: {@link dev.jbpf.tools.profile.StackProfiler} attaches a
 * {@code perf_event} program (bpf-src/profile.bpf.c, packaged in this jar) to a clock on every CPU, counts samples
 * by kernel and user stack, and returns a {@link dev.jbpf.tools.profile.Profile} with the stacks
 * symbolised: kernel addresses by {@link dev.jbpf.kallsyms.KernelSymbols} (/proc/kallsyms), user
 * addresses by {@link dev.jbpf.tools.profile.UserSymbols} (the ELF symbols of the files a process
 * maps). {@link dev.jbpf.tools.profile.FlameGraph} draws a profile's folded stacks as SVG.
 *
 * <p>Native memory: only {@link dev.jbpf.tools.profile.StackProfiler#run} holds any (the loaded
 * object, its links and perf events), and it closes all of it before returning. Everything
 * else here is plain Java data.
 */
package dev.jbpf.tools.profile;
