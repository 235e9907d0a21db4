/**
 * BTF, the BPF Type Format: the types of an object's or the kernel's BPF data, read through
 * libbpf's btf API into plain Java records ({@link dev.jbpf.btf.BtfType}), and a formatter
 * that turns raw bytes of a typed value into structured data (fields by name, char arrays as
 * strings, enums by name) the way bpftool's "formatted" output does.
 */
package dev.jbpf.btf;
