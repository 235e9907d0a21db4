package dev.jbpf.bench.jmh;

/** struct open_event of bpf-src/opensnoop.h: the typical record the benchmarks encode and decode. */
public record OpenEvent(int pid, int tid, int uid, int flags, String comm, String filename) {
}
