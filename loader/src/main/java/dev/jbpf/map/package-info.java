/**
 * BPF maps: {@link dev.jbpf.map.OpenedMap} (before load), {@link dev.jbpf.map.BpfMap} (a map in
 * the kernel: raw-bytes and {@link dev.jbpf.map.TypedMap typed} access, pins), {@link
 * dev.jbpf.map.MapInfo} (listing every map in the kernel). Every native buffer used to talk to
 * the kernel lives in a confined arena of one call; results are Java arrays and records.
 */
package dev.jbpf.map;
