/**
 * jbpf's entry point: {@link dev.jbpf.BpfObject#open} gives an {@link dev.jbpf.OpenedObject}
 * (configure), whose {@code load()} gives a {@link dev.jbpf.LoadedObject} (attach, read maps);
 * both give the object's global variables by name ({@link dev.jbpf.GlobalVariables}: initial
 * values before load, the kernel's live values after); and the exception family rooted at {@link dev.jbpf.BpfException}. Each object owns its
 * libbpf {@code struct bpf_object} and the native memory libbpf points into.
 */
package dev.jbpf;
