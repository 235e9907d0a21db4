package dev.jbpf.map;

/**
 * How {@link BpfMap#update} treats an existing key: {@code BPF_ANY}, {@code BPF_NOEXIST},
 * {@code BPF_EXIST}. Owns no native memory.
 */
public enum UpdateFlag {
    /** Create the entry or overwrite it ({@code BPF_ANY}). */
    ANY(0),
    /** Create only; an existing key fails with EEXIST ({@code BPF_NOEXIST}). */
    NO_EXIST(1),
    /** Overwrite only; a missing key fails with ENOENT ({@code BPF_EXIST}). */
    EXIST(2);

    private final int value;

    UpdateFlag(int value) {
        this.value = value;
    }

    /** The kernel's flag value. */
    public int value() {
        return value;
    }
}
