/**
 * Ready-made BPF tools on the library, each with its BPF object as a resource of this module:
 * {@code dev.jbpf.tools.profile} (a sampling CPU profiler with kernel and user stacks, folded
 * stacks and flame graphs) and {@code dev.jbpf.tools.tcptrack} (TCP connections with bytes sent
 * and received). The CLI's {@code jbpf profile} and {@code jbpf tcptrack} only parse and print.
 */
module dev.jbpf.tools {
    requires transitive dev.jbpf.loader;

    exports dev.jbpf.tools;
    exports dev.jbpf.tools.profile;
    exports dev.jbpf.tools.tcptrack;

    // the BTF record codec builds TcpTracker's private map-value record reflectively
    opens dev.jbpf.tools.tcptrack to dev.jbpf.loader;
}
