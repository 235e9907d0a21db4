package dev.jbpf.asm;

import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;
import java.util.HashMap;
import java.util.Map;

/**
 * Names of BPF helper functions by id ({@code bpf_map_lookup_elem} is 1), read from the running
 * kernel's {@code enum bpf_func_id} in its BTF: so helpers newer than jbpf are named too.
 * An immutable copy; {@link #kernel()} reads it once per JVM.
 */
public final class HelperNames {
    private static volatile HelperNames kernel;
    private final Map<Integer, String> names;

    private HelperNames(Map<Integer, String> names) {
        this.names = Map.copyOf(names);
    }

    /** The running kernel's helpers; none (an empty table) when its BTF lacks the enum. */
    public static HelperNames kernel() {
        HelperNames table = kernel;
        if (table == null) {
            try (Btf vmlinux = Btf.vmlinux()) {
                table = of(vmlinux);
            }
            kernel = table;
        }
        return table;
    }

    /** The helpers of a BTF's {@code enum bpf_func_id} ({@code BPF_FUNC_x} is named {@code bpf_x}); null: none. */
    public static HelperNames of(Btf btf) {
        Map<Integer, String> names = new HashMap<>();
        if (btf == null) {
            return new HelperNames(names);
        }
        btf.find(BtfType.Enum.class, "bpf_func_id").ifPresent(e -> {
            for (BtfType.EnumConstant constant : e.constants()) {
                if (constant.name().startsWith("BPF_FUNC_")) {
                    names.put((int) constant.value(), "bpf_" + constant.name().substring("BPF_FUNC_".length()));
                }
            }
        });
        return new HelperNames(names);
    }

    /** The helper's name, or null for an id the kernel does not define. */
    public String name(int id) {
        return names.get(id);
    }

    /** The id of a helper by name ("bpf_map_lookup_elem" or "map_lookup_elem"), or -1. */
    public int id(String name) {
        String full = name.startsWith("bpf_") ? name : "bpf_" + name;
        return names.entrySet().stream().filter(e -> e.getValue().equals(full)).mapToInt(Map.Entry::getKey)
                .findFirst().orElse(-1);
    }

    /** How many helpers the table holds. */
    public int size() {
        return names.size();
    }
}
