package dev.jbpf.map;

/**
 * Where a batched walk of one map stands, for {@link BatchOperations#lookup} and {@link
 * BatchOperations#lookupAndDelete}: create one per walk, pass it to every call until {@link
 * #isDone()}. A cursor belongs to the first map and operation it is used with (using it with
 * another throws {@link IllegalArgumentException}). It holds the kernel's opaque batch token
 * (for hash maps a bucket number, for arrays the last key) or, when the map cannot do batches
 * and jbpf walks it key by key, the last key; plain Java memory, no native memory, not
 * thread-safe.
 */
public final class BatchCursor {
    BpfMap map;
    boolean deleting;
    /** True when walking key by key (the kernel has no batch operation for this map). */
    boolean perKey;
    /** The kernel's out_batch of the last call (or the last key when perKey); null before the first call. */
    byte[] token;
    boolean done;
    /** Entries produced so far by a per-key walk (a bound against the kernel restarting the walk). */
    long produced;

    /** A cursor at the start of a map. */
    public BatchCursor() {
    }

    /** True once the walk has reached the end of the map: further calls return nothing. */
    public boolean isDone() {
        return done;
    }

    void bind(BpfMap map, boolean deleting) {
        if (this.map == null) {
            this.map = map;
            this.deleting = deleting;
        } else if (this.map != map || this.deleting != deleting) {
            throw new IllegalArgumentException("this cursor walks map " + this.map.name() + " with "
                    + (this.deleting ? "batch().lookupAndDelete" : "batch().lookup") + "; use a new cursor");
        }
    }

    @Override
    public String toString() {
        return "BatchCursor[" + (map == null ? "unused" : map.name()) + (perKey ? ", per key" : "")
                + (done ? ", done]" : "]");
    }
}
