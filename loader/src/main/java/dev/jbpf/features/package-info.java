/**
 * What the running kernel can do with BPF, asked of the kernel itself:
 * {@link dev.jbpf.features.KernelFeatures} probes program types, map types and the helpers of
 * each program type through libbpf's probe API ({@code libbpf_probe_bpf_prog_type},
 * {@code libbpf_probe_bpf_map_type}, {@code libbpf_probe_bpf_helper}), and facilities
 * ({@link dev.jbpf.features.Facility}: kprobes, kretprobes, kprobe_multi and uprobe_multi links,
 * fentry, fmod_ret, LSM programs, uprobes, tcx, hardware perf events, ring buffers,
 * {@code bpf_loop}, BPF tokens, vmlinux BTF...) by loading tiny programs and attaching them where
 * the facility attaches, or by reading procfs, sysfs and tracefs. These are the probes the
 * project's tests are gated by too (dev.jbpf.testing.Feature maps onto them). Names come from
 * libbpf ({@code libbpf_bpf_prog_type_str},
 * {@code libbpf_bpf_map_type_str}) and from the kernel's BTF ({@link dev.jbpf.asm.HelperNames}),
 * so they are the ones {@code bpftool feature probe} prints.
 *
 * <p>Each probe runs at most once per process and its answer is kept (as a record in the Java
 * heap); nothing native is kept: every program, map, link, perf event or token fd a probe
 * creates is closed before the probe returns, and its scratch memory is freed with it (the
 * uprobe probe's scratch file in the temporary directory is deleted too).
 */
package dev.jbpf.features;
