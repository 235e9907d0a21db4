/**
 * BTF, the BPF Type Format: the types of an object's or the kernel's BPF data, read through
 * libbpf's btf API into plain Java records ({@link dev.jbpf.btf.BtfType}), and a formatter
 * that turns raw bytes of a typed value into structured data (fields by name, char arrays as
 * strings, enums by name) the way bpftool's "formatted" output does.
 *
 * <p>{@link dev.jbpf.btf.BtfRecordCodec} binds a Java record to a BTF struct (components to
 * members by name, Java types checked against BTF kinds and sizes when binding) and is a
 * {@link dev.jbpf.map.Codec} for typed maps and a decoder of ring buffer records;
 * {@link dev.jbpf.btf.BtfValueCodec} does the same for any Java type and BTF type.
 */
package dev.jbpf.btf;
