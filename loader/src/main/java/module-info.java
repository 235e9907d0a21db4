/**
 * The jbpf library: open, configure and load BPF objects ({@code dev.jbpf}), attach their
 * programs ({@code dev.jbpf.program}, {@code dev.jbpf.link}), read and write their maps
 * ({@code dev.jbpf.map}), stream their ring and perf buffers ({@code dev.jbpf.ringbuf},
 * {@code dev.jbpf.perf}), and read BTF, ELF, kernel symbols, instructions and verifier logs.
 * {@code dev.jbpf.features} says what the running kernel supports.
 *
 * <p>{@code dev.jbpf.internal} (file descriptors, errno, libbpf calls and logs, bpffs and
 * tracefs paths, the ownership tree) is not API: it is exported only to jbpf's own modules.
 * Native access: the loader and {@code dev.jbpf.bindings} call libbpf and libc through FFM, so
 * an application on the module path runs with
 * {@code --enable-native-access=dev.jbpf.bindings,dev.jbpf.loader}. The BTF codecs
 * ({@code dev.jbpf.btf}) and generated skeletons build the caller's records reflectively: a
 * module that declares such records opens their package to {@code dev.jbpf.loader}.
 */
// "module": the modules of the qualified export below are built after this one
@SuppressWarnings("module")
module dev.jbpf.loader {
    requires transitive dev.jbpf.bindings;

    exports dev.jbpf;
    exports dev.jbpf.asm;
    exports dev.jbpf.btf;
    exports dev.jbpf.elf;
    exports dev.jbpf.features;
    exports dev.jbpf.kallsyms;
    exports dev.jbpf.link;
    exports dev.jbpf.map;
    exports dev.jbpf.perf;
    exports dev.jbpf.program;
    exports dev.jbpf.ringbuf;
    exports dev.jbpf.skeleton;
    exports dev.jbpf.verifier;

    exports dev.jbpf.internal to dev.jbpf.tools, dev.jbpf.codegen, dev.jbpf.exporter, dev.jbpf.cli;
}
