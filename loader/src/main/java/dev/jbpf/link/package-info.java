/**
 * Attachments of loaded programs to kernel hooks: {@link dev.jbpf.link.BpfLink}, one type for
 * every kind of attachment (a libbpf {@code struct bpf_link}, a kernel link's fd, or a netlink
 * attachment such as a clsact TC filter), and the attach points passed to
 * {@code BpfProgram.attach(AttachPoint)}: {@link dev.jbpf.link.Tracepoint},
 * {@link dev.jbpf.link.RawTracepoint}, {@link dev.jbpf.link.Xdp}, {@link dev.jbpf.link.Tc}
 * and {@link dev.jbpf.link.Cgroup}.
 */
package dev.jbpf.link;
