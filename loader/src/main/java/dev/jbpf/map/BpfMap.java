package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.KernelObjects;
import dev.jbpf.internal.Owner;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A BPF map in the kernel, read and written through its file descriptor with the
 * {@code bpf(2)} map commands ({@code bpf_map_lookup_elem}, {@code bpf_map_update_elem},
 * {@code bpf_map_delete_elem}, {@code bpf_map_get_next_key}).
 *
 * <p><b>Ownership.</b> A map of a {@code LoadedObject} is owned by that
 * object: libbpf owns the {@code struct bpf_map} and its fd, this map's {@link #close()} does
 * nothing, and once the object is closed every method throws {@link IllegalStateException}.
 * A map from {@link #openPinned}, {@link #openById} or {@link #create} owns its fd: {@link
 * #close()} closes it (the kernel frees the map when no fd, pin or program uses it any more),
 * and after that every method throws {@link IllegalStateException}. Every native buffer a
 * method uses lives in a confined arena for the duration of that call; what it returns is
 * copied into Java arrays. The views ({@link #batch()}, {@link #asQueue()}, {@link
 * #asBloomFilter()}, {@link #typed}) own nothing: they use this map's fd, while it is open.
 *
 * <p><b>Threads.</b> Data operations may run concurrently from several threads (the kernel
 * serialises them per map). Closing the map (or, for an object's map, its object) while other
 * threads use it is safe: the close waits for the calls in progress, later calls throw
 * {@link IllegalStateException}; an iteration in progress ends with that exception at its
 * next step. A value from {@link #fd()} is only good while the map is open.
 *
 * <p><b>Per-CPU maps</b> ({@link #isPerCpu()}) keep one value per possible CPU: their raw value
 * buffers ({@link #lookup}, {@link #update}, {@link MapEntry#value()}) hold {@link #possibleCpus()}
 * values, each padded to 8 bytes ({@link #valueBufferSize()}); {@link #lookupPerCpu} and {@link
 * #updatePerCpu} split and join them.
 *
 * <p><b>Map kinds.</b> Keyed maps (hash, array, their per-CPU and LRU forms, LPM tries with {@link
 * LpmKey}, map-of-maps, stack traces) use {@link #lookup}/{@link #update}/{@link #delete}, and
 * {@link #batch()} for many entries per call; queues and stacks {@link #asQueue()}, bloom filters
 * {@link #asBloomFilter()}. {@link #stackTrace} reads a stack trace map, {@link #innerMap} a
 * map-of-maps; {@link #freeze()} makes a map read-only for user space.
 */
public final class BpfMap implements AutoCloseable {
    private final MemorySegment objectMap;
    /** The object's state for object maps, this map's own for maps that own their fd. */
    final Owner owner;
    private final int ownedFd;
    // read directly by this package's helpers and views
    final String name;
    final MapType type;
    final int keySize;
    final int valueSize;
    final int maxEntries;
    final int flags;
    final int id;
    final MapBatches.State batchState = new MapBatches.State();

    BpfMap(MemorySegment objectMap, Owner owner, int ownedFd, String name, MapType type,
            int keySize, int valueSize, int maxEntries, int flags, int id) {
        this.objectMap = objectMap;
        this.owner = owner != null ? owner : new Owner("map " + name);
        this.ownedFd = ownedFd;
        this.name = name;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.id = id;
    }

    static {
        Access.register(new MapAccess());
    }

    /** Takes ownership of fd (closing it if describing it fails). */
    private static BpfMap owning(int fd, String operation, String target) {
        MapInfo info = MapNative.adopt(fd, operation, target);
        return new BpfMap(null, null, fd, info.name(), info.type(), info.keySize(), info.valueSize(),
                info.maxEntries(), info.flags(), info.id());
    }

    /**
     * Opens the map pinned at path ({@code bpf_obj_get}). The returned map owns its fd.
     * Nothing at path → {@link BpfNotFoundException}; a pinned program or link → {@link
     * BpfException} (EINVAL).
     */
    public static BpfMap openPinned(Path path) {
        return owning(KernelObjects.openPinned(KernelObjects.Kind.MAP, path).release(), "open pinned map", path.toString());
    }

    /** Opens the map with this kernel id ({@code bpf_map_get_fd_by_id}); the returned map owns its fd. */
    public static BpfMap openById(int id) {
        return owning(KernelObjects.openById(KernelObjects.Kind.MAP, id).release(), "open map", "id " + id);
    }

    /**
     * Creates a new map in the kernel ({@code bpf_map_create}); the returned map owns its fd
     * and the kernel frees the map when that fd is closed (unless it was pinned or a program
     * uses it). The name is cut to 15 characters by the kernel; it may hold letters, digits,
     * '_' and '.'.
     */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries) {
        return create(type, name, keySize, valueSize, maxEntries, 0);
    }

    /** {@link #create(MapType, String, int, int, int)} with BPF_F_* map flags (e.g. BPF_F_NO_PREALLOC). */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
        return create(type, name, keySize, valueSize, maxEntries, MapOptions.DEFAULT.withFlags(flags));
    }

    /**
     * {@link #create(MapType, String, int, int, int)} with options: map flags, the inner map
     * template of a map-of-maps ({@code inner_map_fd}), {@code map_extra}. An {@link
     * MapType#LPM_TRIE} is always created with {@code BPF_F_NO_PREALLOC}, which the kernel
     * requires of it.
     *
     * @throws IllegalArgumentException for a map-of-maps without inner map, an inner map on
     *     another type, or a closed inner map
     */
    public static BpfMap create(MapType type, String name, int keySize, int valueSize, int maxEntries,
            MapOptions options) {
        return owning(MapNative.create(type, name, keySize, valueSize, maxEntries, options), "create map", name);
    }

    void checkOpen() {
        owner.ensureOpen();
    }

    /** A use of the map's fd: a close in another thread waits for it (see {@link Owner#use()}). */
    Owner.Use use() {
        return owner.use();
    }

    /** The map's name (libbpf's full name for object maps; the kernel's, at most 15 characters, otherwise). */
    public String name() {
        checkOpen();
        return name;
    }

    public MapType type() {
        checkOpen();
        return type;
    }

    /** Key size in bytes; 0 for maps without keys (ring buffers, queues, stacks, bloom filters). */
    public int keySize() {
        checkOpen();
        return keySize;
    }

    /** Value size in bytes, per CPU for per-CPU maps. */
    public int valueSize() {
        checkOpen();
        return valueSize;
    }

    /**
     * Size of the value buffers {@link #lookup} returns and {@link #update} takes: {@link
     * #valueSize()}, or for per-CPU maps {@code roundUp(valueSize, 8) * possibleCpus()}.
     */
    public int valueBufferSize() {
        checkOpen();
        return isPerCpu() ? MapNative.roundUp8(valueSize) * possibleCpus() : valueSize;
    }

    public int maxEntries() {
        checkOpen();
        return maxEntries;
    }

    /** The BPF_F_* flags the map was created with. */
    public int flags() {
        checkOpen();
        return flags;
    }

    /** The map's file descriptor (owned by the object for object maps, by this map otherwise). */
    public int fd() {
        if (objectMap == null) {
            checkOpen();
            return ownedFd;
        }
        try (Owner.Use use = use()) {
            return LibBpf.bpf_map__fd(objectMap);
        }
    }

    /** The kernel's id of the map (0 when an object's map was not created). */
    public int id() {
        checkOpen();
        return id;
    }

    public boolean isPerCpu() {
        checkOpen();
        return type.isPerCpu();
    }

    /** Number of possible CPUs ({@code libbpf_num_possible_cpus}): values per key of per-CPU maps. */
    public int possibleCpus() {
        checkOpen();
        return MapNative.possibleCpus();
    }

    /** What the kernel says about this map now ({@code bpf_map_get_info_by_fd}), BTF type ids included. */
    public MapInfo info() {
        try (Owner.Use use = use()) {
            return MapNative.infoByFd(fd(), "get map info", name);
        }
    }

    /**
     * True for the maps libbpf makes for an object's global variables (.data, .bss, .rodata,
     * .kconfig) rather than for a map the object declares; always false for a map opened by
     * pin or id.
     */
    public boolean isInternal() {
        checkOpen();
        return objectMap != null && LibBpf.bpf_map__is_internal(objectMap);
    }

    /** True when this map owns its fd (opened by pin, id, or created) rather than belonging to an object. */
    public boolean ownsFd() {
        checkOpen();
        return objectMap == null;
    }

    /**
     * The value stored under key, or empty when there is none (ENOENT). For per-CPU maps the
     * value holds every CPU's value (see the class comment).
     *
     * @throws IllegalArgumentException when key is not {@link #keySize()} bytes
     * @throws UnsupportedOperationException for maps without keys
     */
    public Optional<byte[]> lookup(byte[] key) {
        return MapElements.lookup(this, key);
    }

    /**
     * Every CPU's value under key of a per-CPU map, index = CPU number, each {@link
     * #valueSize()} bytes; an empty list when the key is not there.
     *
     * @throws UnsupportedOperationException when the map is not per-CPU
     */
    public List<byte[]> lookupPerCpu(byte[] key) {
        return MapElements.lookupPerCpu(this, key);
    }

    /**
     * Stores value under key. For per-CPU maps value holds every CPU's value ({@link
     * #valueBufferSize()} bytes).
     *
     * @throws IllegalArgumentException when key or value has the wrong size
     * @throws BpfException EEXIST for {@link UpdateFlag#NO_EXIST} on an existing key, ENOENT
     *     ({@link BpfNotFoundException}) for {@link UpdateFlag#EXIST} on a missing one, E2BIG
     *     when the map is full
     */
    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        MapElements.update(this, key, value, flag);
    }

    /** {@link #update(byte[], byte[], UpdateFlag)} with {@link UpdateFlag#ANY}. */
    public void update(byte[] key, byte[] value) {
        update(key, value, UpdateFlag.ANY);
    }

    /**
     * Stores one value per CPU under key of a per-CPU map: values has {@link #possibleCpus()}
     * elements of {@link #valueSize()} bytes each.
     */
    public void updatePerCpu(byte[] key, List<byte[]> values, UpdateFlag flag) {
        MapElements.updatePerCpu(this, key, values, flag);
    }

    /** Deletes key; false when it was not there (ENOENT). Arrays cannot delete (EINVAL → {@link BpfException}). */
    public boolean delete(byte[] key) {
        return MapElements.delete(this, key);
    }

    /**
     * Every key, in the kernel's order (for arrays every index): 4096 per {@code bpf_map_lookup_batch},
     * or key by key ({@code bpf_map_get_next_key}) where the map has no batches, stopping at the first
     * key seen twice (the kernel restarts the walk when another thread or a program deletes its key).
     */
    public List<byte[]> keys() {
        return MapIteration.keys(this);
    }

    /**
     * Every entry. Each {@code iterator()} walks the map anew, 4096 entries per {@code bpf_map_lookup_batch};
     * where the map has no batches it takes the {@link #keys()} snapshot and looks each key up when the
     * iterator reaches it (keys deleted meanwhile are skipped). For per-CPU maps {@link MapEntry#perCpuValues()}
     * is filled. To walk a large map without an object per entry: {@link BatchOperations#forEach}.
     */
    public Iterable<MapEntry> entries() {
        return MapIteration.entries(this);
    }

    /**
     * This keyed map's {@link BatchOperations}: many entries per {@code bpf(2)} call.
     *
     * @throws IllegalArgumentException for maps without keys (queues, stacks, bloom filters, ...)
     */
    public BatchOperations batch() {
        return new BatchOperations(this);
    }

    /**
     * This {@link MapType#QUEUE} or {@link MapType#STACK} map as a {@link QueueMap}: push, pop, peek.
     *
     * @throws IllegalArgumentException for other map types
     */
    public QueueMap asQueue() {
        return new QueueMap(this);
    }

    /**
     * This {@link MapType#BLOOM_FILTER} map as a {@link BloomFilterMap}: push, mightContain.
     *
     * @throws IllegalArgumentException for other map types
     */
    public BloomFilterMap asBloomFilter() {
        return new BloomFilterMap(this);
    }

    /**
     * A typed view of this keyed map (no copy); of a queue or stack: {@code asQueue().typed(codec)}.
     *
     * @throws IllegalArgumentException when the codec sizes differ from {@link #keySize()} and
     *     {@link #valueSize()}
     */
    public <K, V> TypedMap<K, V> typed(Codec<K> key, Codec<V> value) {
        return new TypedMap<>(this, key, value);
    }

    /**
     * The instruction addresses of the stack a program stored under stackId in a {@link
     * MapType#STACK_TRACE} map ({@code bpf_get_stackid}'s result), innermost frame first;
     * an empty list when there is no stack under that id.
     *
     * @throws UnsupportedOperationException for other maps, and for maps of build-id stacks
     *     ({@code BPF_F_STACK_BUILD_ID})
     */
    public List<Long> stackTrace(int stackId) {
        return MapElements.stackTrace(this, stackId);
    }

    /**
     * Opens the inner map stored under key of an {@link MapType#ARRAY_OF_MAPS} or {@link
     * MapType#HASH_OF_MAPS} (a lookup returns its id): a new map that owns its fd, or empty when
     * no map is there. Inner maps are put with {@code update(key, Codec.INT.encode(inner.fd()))}:
     * map-of-maps (and program arrays) take fds when written and give ids when read.
     */
    public Optional<BpfMap> innerMap(byte[] key) {
        return MapElements.innerMap(this, key);
    }

    /**
     * Freezes the map ({@code bpf_map_freeze}): from now on user space can only read it; every
     * write through any fd (update, delete, push, batches) fails with EPERM. Programs may still
     * write it unless it was created {@code BPF_F_RDONLY_PROG}. Irreversible; freezing again
     * fails (EPERM, or EBUSY on some kernels).
     */
    public void freeze() {
        MapFdInfo.freeze(this);
    }

    /** True when the map was frozen ({@link #freeze()}), by this process or another (from /proc/self/fdinfo). */
    public boolean isFrozen() {
        return MapFdInfo.isFrozen(this);
    }

    /**
     * Pins the map at path on a BPF file system ({@code bpf_obj_pin}), which keeps it alive
     * after every fd is closed, until {@link #unpin}. The path must lie on bpffs; under
     * /sys/fs/bpf bpffs is mounted first when it is not, and missing parent folders are created.
     */
    public void pin(Path path) {
        MapPins.pin(this, path);
    }

    /**
     * Removes the pin at path. The pin must be of this map (else {@link BpfException}); no
     * pin there → {@link BpfNotFoundException}. The map itself lives on while fds or programs
     * use it.
     */
    public void unpin(Path path) {
        MapPins.unpin(this, path);
    }

    /** Closes the fd this map owns; a no-op for maps of a loaded object (the object owns them) and when closed. */
    @Override
    public void close() {
        if (objectMap == null && owner.close()) { // waits for calls in progress in other threads
            Fd.close(ownedFd);
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", " + type.displayName() + ", id " + id + (owner.isOpen() ? "]" : ", closed]");
    }
}
