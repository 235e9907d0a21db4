/**
 * Ready-made BPF tools on the library, each with its BPF object as a resource of this module:
 * {@code dev.jbpf.tools.profile} (a sampling CPU profiler with kernel and user stacks, folded
 * stacks and flame graphs), {@code dev.jbpf.tools.tcptrack} (TCP connections with bytes sent
 * and received) and {@code dev.jbpf.tools.jvm} (another JVM's GC, threads, classes, JIT,
 * allocations and monitors from HotSpot's USDT probes). The CLI's {@code jbpf profile},
 * {@code jbpf tcptrack} and {@code jbpf jvm} only parse and print.
 */
module dev.jbpf.tools {
    requires transitive dev.jbpf.loader;

    exports dev.jbpf.tools;
    exports dev.jbpf.tools.profile;
    exports dev.jbpf.tools.tcptrack;
    exports dev.jbpf.tools.jvm;

    // the BTF record codecs build the tools' private records (map values, ring buffer records) reflectively
    opens dev.jbpf.tools.tcptrack to dev.jbpf.loader;
    opens dev.jbpf.tools.jvm to dev.jbpf.loader;
}
