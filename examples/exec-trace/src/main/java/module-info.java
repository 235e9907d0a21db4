/**
 * This example is a named module, to show jbpf on the module path: it requires only the
 * library, opens the generated package to it (the BTF record codec builds the generated records
 * reflectively, and Skeletons reads the BPF object next to the skeleton class), and runs with
 * {@code --enable-native-access=dev.jbpf.bindings,dev.jbpf.loader}.
 */
module dev.jbpf.examples.exectrace {
    requires dev.jbpf.loader;

    opens dev.jbpf.examples.exectrace.bpf to dev.jbpf.loader;
}
