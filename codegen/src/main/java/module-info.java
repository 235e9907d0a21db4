/**
 * Typed code generation from a BPF object's BTF ({@code jbpf gen skeleton}, the Maven plugin):
 * Java records for its structs, enums for its enums, and a skeleton class per object with typed
 * maps, global variables, ring and perf buffers. Generated code depends on
 * {@code dev.jbpf.loader} only, not on this module.
 */
module dev.jbpf.codegen {
    requires transitive dev.jbpf.loader;

    exports dev.jbpf.codegen;
}
