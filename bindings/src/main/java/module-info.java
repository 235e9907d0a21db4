/**
 * FFM bindings of libbpf 1.4, generated from its headers (bindings/generator): one class per
 * C struct, union and function group, plus {@code LibBpf} (the library and its downcalls) and
 * {@code BpfConstants}. The whole package is this module's API; {@code dev.jbpf.loader} is
 * built on it, and a caller who needs a libbpf function the loader does not wrap calls it here.
 */
module dev.jbpf.bindings {
    exports dev.jbpf.bindings;
}
