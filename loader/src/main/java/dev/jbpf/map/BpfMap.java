package dev.jbpf.map;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.LibBpfCall;
import dev.jbpf.bindings.bpf_map_create_opts;
import static dev.jbpf.bindings.BpfConstants.BPF_F_NO_PREALLOC;
import dev.jbpf.internal.Access;
import dev.jbpf.internal.BpfFs;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.Fd;
import dev.jbpf.internal.LibBpfLog;
import dev.jbpf.internal.Owner;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A BPF map in the kernel, read and written through its file descriptor with the
 * {@code bpf(2)} map commands ({@code bpf_map_lookup_elem}, {@code bpf_map_update_elem},
 * {@code bpf_map_delete_elem}, {@code bpf_map_get_next_key}).
 *
 * <p><b>Ownership.</b> A map of a {@code LoadedObject} ({@link #ofObjectMap}) is owned by that
 * object: libbpf owns the {@code struct bpf_map} and its fd, this map's {@link #close()} does
 * nothing, and once the object is closed every method throws {@link IllegalStateException}.
 * A map from {@link #openPinned}, {@link #openById} or {@link #create} owns its fd: {@link
 * #close()} closes it (the kernel frees the map when no fd, pin or program uses it any more),
 * and after that every method throws {@link IllegalStateException}. Every native buffer a
 * method uses lives in a confined arena for the duration of that call; what it returns is
 * copied into Java arrays.
 *
 * <p><b>Threads.</b> Data operations may run concurrently from several threads (the kernel
 * serialises them per map). Closing the map (or, for an object's map, its object) while other
 * threads use it is safe: the close waits for the calls in progress, later calls throw
 * {@link IllegalStateException}; an iteration in progress ends with that exception at its
 * next step. A value from {@link #fd()} is only good while the map is open.
 *
 * <p><b>Per-CPU maps</b> ({@link #isPerCpu()}) keep one value per possible CPU: their raw value
 * buffers ({@link #lookup}, {@link #update}, {@link MapEntry#value()}) hold
 * {@link #possibleCpus()} values, each padded to a multiple of 8 bytes ({@link
 * #valueBufferSize()}); {@link #lookupPerCpu} and {@link #updatePerCpu} split and join them.
 *
 * <p><b>Map kinds.</b> Keyed maps (hash, array, their per-CPU and LRU forms, LPM tries with
 * {@link LpmKey}, map-of-maps, stack traces) use {@link #lookup}/{@link #update}/{@link
 * #delete} and the batch operations ({@link #lookupBatch}, {@link #lookupAndDeleteBatch},
 * {@link #updateBatch}, {@link #deleteBatch}, {@link #forEachBatch}), which fall back to key by
 * key where the kernel has no batch operation. Maps without keys use {@link #push}/{@link
 * #pop}/{@link #peek} (queues, stacks) and {@link #push}/{@link #mightContain} (bloom filters).
 * {@link #stackTrace} reads a stack trace map, {@link #innerMap} a map-of-maps, {@link
 * #freeze()} makes a map read-only for user space.
 */
public final class BpfMap implements AutoCloseable {
    private final MemorySegment objectMap;
    /** The object's state for object maps, this map's own for maps that own their fd. */
    private final Owner owner;
    private final int ownedFd;
    private final String name;
    private final MapType type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int id;
    private final MapBatches.State batchState = new MapBatches.State();

    private BpfMap(MemorySegment objectMap, Owner owner, int ownedFd, String name, MapType type,
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
        Access.register(new Access.Maps() {
            @Override
            public OpenedMap opened(MemorySegment map, Runnable ensureOpen) {
                return new OpenedMap(map, ensureOpen);
            }

            @Override
            public BpfMap ofObjectMap(MemorySegment map, Owner object) {
                return BpfMap.ofObjectMap(map, object);
            }

            @Override
            public void closeWith(BpfMap map, AutoCloseable resource) {
                map.owner.own(resource);
            }

            @Override
            public void forget(BpfMap map, AutoCloseable resource) {
                map.owner.release(resource);
            }
        });
    }

    /**
     * Wraps a loaded object's {@code struct bpf_map *} (for {@code LoadedObject}, through
     * {@code internal.Access.maps()}). The map does not own its fd; every method uses it inside {@code object.use()}, so it
     * throws {@link IllegalStateException} once the owning object is closed and the object's
     * close waits for calls in progress.
     */
    private static BpfMap ofObjectMap(MemorySegment bpfMap, Owner object) {
        Objects.requireNonNull(bpfMap, "bpfMap");
        Objects.requireNonNull(object, "object");
        object.ensureOpen();
        String name = LibBpfCall.string(LibBpf.bpf_map__name(bpfMap));
        int fd = LibBpf.bpf_map__fd(bpfMap);
        int id = fd >= 0 ? MapNative.infoByFd(fd, "get map info", name).id() : 0;
        return new BpfMap(bpfMap, object, -1, name, MapType.of(LibBpf.bpf_map__type(bpfMap)),
                LibBpf.bpf_map__key_size(bpfMap), LibBpf.bpf_map__value_size(bpfMap),
                LibBpf.bpf_map__max_entries(bpfMap), LibBpf.bpf_map__map_flags(bpfMap), id);
    }

    /** Takes ownership of fd (closing it if describing it fails). */
    private static BpfMap owning(int fd, String operation, String target) {
        try {
            if (!Fd.kind(fd).equals("bpf-map")) {
                throw new BpfException(operation, target, Errno.EINVAL,
                        "what is pinned there is a " + Fd.kindName(fd) + ", not a map");
            }
            MapInfo info = MapNative.infoByFd(fd, operation, target);
            return new BpfMap(null, null, fd, info.name(), info.type(), info.keySize(), info.valueSize(),
                    info.maxEntries(), info.flags(), info.id());
        } catch (RuntimeException | Error e) {
            Fd.close(fd);
            throw e;
        }
    }

    /**
     * Opens the map pinned at path ({@code bpf_obj_get}). The returned map owns its fd.
     * Nothing at path → {@link BpfNotFoundException}; a pinned program or link → {@link
     * BpfException} (EINVAL).
     */
    public static BpfMap openPinned(Path path) {
        Objects.requireNonNull(path, "path");
        String target = path.toString();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = LibBpf.bpf_obj_get(arena.allocateFrom(path.toAbsolutePath().toString()));
        }
        if (fd < 0) {
            throw BpfFs.notAPin("open pinned map", path, MapNative.errno(fd));
        }
        return owning(fd, "open pinned map", target);
    }

    /** Opens the map with this kernel id ({@code bpf_map_get_fd_by_id}); the returned map owns its fd. */
    public static BpfMap openById(int id) {
        int fd = LibBpf.bpf_map_get_fd_by_id(id);
        if (fd < 0) {
            int errno = MapNative.errno(fd);
            throw BpfException.of("open map by id", String.valueOf(id), errno,
                    errno == Errno.ENOENT ? "no map has this id (map list shows those that do)" : null);
        }
        return owning(fd, "open map by id", String.valueOf(id));
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
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(options, "options");
        if (type == MapType.UNKNOWN || type == MapType.UNSPEC) {
            throw new IllegalArgumentException("cannot create a map of type " + type);
        }
        boolean mapOfMaps = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        if (mapOfMaps && options.innerMap() == null) {
            throw new IllegalArgumentException("a " + type.displayName()
                    + " map needs an inner map template: MapOptions.DEFAULT.withInnerMap(map)");
        }
        if (!mapOfMaps && options.innerMap() != null) {
            throw new IllegalArgumentException("only map-of-maps take an inner map, not a " + type.displayName());
        }
        int innerFd;
        try {
            innerFd = mapOfMaps ? options.innerMap().fd() : -1;
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the inner map template is closed", e);
        }
        int flags = options.flags() | (type == MapType.LPM_TRIE ? BPF_F_NO_PREALLOC : 0);
        int fd;
        LibBpfLog.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment opts = bpf_map_create_opts.allocate(arena);
            bpf_map_create_opts.sz(opts, bpf_map_create_opts.sizeof());
            bpf_map_create_opts.map_flags(opts, flags);
            bpf_map_create_opts.map_extra(opts, options.mapExtra());
            if (mapOfMaps) {
                bpf_map_create_opts.inner_map_fd(opts, innerFd);
            }
            fd = LibBpf.bpf_map_create(type.value(), arena.allocateFrom(name), keySize, valueSize, maxEntries, opts);
        }
        if (fd < 0) {
            String libbpf = LibBpfLog.explanation();
            throw BpfException.of("create map", name, MapNative.errno(fd), type.displayName() + " key " + keySize
                    + " value " + valueSize + " max_entries " + maxEntries + (flags != 0 ? " flags 0x"
                    + Integer.toHexString(flags) : "") + (libbpf == null ? "" : "; " + libbpf));
        }
        return owning(fd, "create map", name);
    }

    private void checkOpen() {
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

    // ---- raw bytes -------------------------------------------------------------------------

    private void requireKeys(String operation) {
        if (keySize == 0) {
            throw new UnsupportedOperationException(operation + " " + name + ": a " + type.displayName()
                    + " map has no keys");
        }
    }

    private void checkKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != keySize) {
            throw new IllegalArgumentException("map " + name + ": key must be " + keySize + " bytes, got "
                    + key.length);
        }
    }

    private void checkValue(byte[] value) {
        Objects.requireNonNull(value, "value");
        int expected = valueBufferSize();
        if (value.length != expected) {
            String how = isPerCpu() ? " (" + possibleCpus() + " CPUs x " + MapNative.roundUp8(valueSize)
                    + " bytes; one value of " + valueSize + " bytes for every CPU: updatePerCpu)" : "";
            throw new IllegalArgumentException("map " + name + ": value must be " + expected + " bytes" + how
                    + ", got " + value.length);
        }
    }

    private BpfException failure(String operation, int errno) {
        return failure(operation, errno, null);
    }

    /**
     * The exception for a failed map call. EPERM from a write says why when it can (a frozen
     * or read-only map), which is not the missing privilege BpfPermissionException assumes.
     */
    BpfException failure(String operation, int errno, String detail) {
        if (errno == Errno.EPERM) {
            Map<String, String> fdInfo = fdInfo();
            String why = !"0".equals(fdInfo.getOrDefault("frozen", "0"))
                    ? "the map is frozen: user space can no longer write it"
                    : (parseOctal(fdInfo.get("flags")) & O_ACCMODE) == O_RDONLY
                    ? "this fd of the map is read-only (created or opened with BPF_F_RDONLY)" : null;
            if (why != null) {
                detail = detail == null ? why : why + "; " + detail;
            }
        }
        return BpfException.of(operation, name, errno, detail);
    }

    MapBatches.State batchState() {
        return batchState;
    }

    /**
     * The value stored under key, or empty when there is none (ENOENT). For per-CPU maps the
     * value holds every CPU's value (see the class comment).
     *
     * @throws IllegalArgumentException when key is not {@link #keySize()} bytes
     * @throws UnsupportedOperationException for maps without keys
     */
    public Optional<byte[]> lookup(byte[] key) {
        checkOpen();
        requireKeys("lookup");
        checkKey(key);
        int size = valueBufferSize();
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocate(Math.max(size, 1), 8);
            int ret = LibBpf.bpf_map_lookup_elem(fd(), k, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw failure("lookup", errno);
            }
            return Optional.of(v.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * Every CPU's value under key of a per-CPU map, index = CPU number, each {@link
     * #valueSize()} bytes; an empty list when the key is not there.
     *
     * @throws UnsupportedOperationException when the map is not per-CPU
     */
    public List<byte[]> lookupPerCpu(byte[] key) {
        checkOpen();
        requirePerCpu("lookupPerCpu");
        return lookup(key).map(this::splitPerCpu).orElse(List.of());
    }

    private void requirePerCpu(String operation) {
        if (!type.isPerCpu()) {
            throw new UnsupportedOperationException(operation + " " + name + ": a " + type.displayName()
                    + " map is not per-CPU");
        }
    }

    List<byte[]> splitPerCpu(byte[] raw) {
        int stride = MapNative.roundUp8(valueSize);
        int cpus = raw.length / stride;
        List<byte[]> values = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            values.add(Arrays.copyOfRange(raw, cpu * stride, cpu * stride + valueSize));
        }
        return List.copyOf(values);
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
        checkOpen();
        requireKeys("update");
        checkKey(key);
        checkValue(value);
        Objects.requireNonNull(flag, "flag");
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_update_elem(fd(), k, v, flag.value());
            if (ret < 0) {
                throw failure("update", MapNative.errno(ret));
            }
        }
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
        checkOpen();
        requirePerCpu("updatePerCpu");
        int cpus = possibleCpus();
        if (values.size() != cpus) {
            throw new IllegalArgumentException("map " + name + ": expected one value per possible CPU (" + cpus
                    + "), got " + values.size());
        }
        int stride = MapNative.roundUp8(valueSize);
        byte[] raw = new byte[stride * cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] v = values.get(cpu);
            if (v.length != valueSize) {
                throw new IllegalArgumentException("map " + name + ": value for CPU " + cpu + " must be " + valueSize
                        + " bytes, got " + v.length);
            }
            System.arraycopy(v, 0, raw, cpu * stride, valueSize);
        }
        update(key, raw, flag);
    }

    /**
     * Deletes key; false when it was not there (ENOENT). Array maps cannot delete (EINVAL →
     * {@link BpfException}).
     */
    public boolean delete(byte[] key) {
        checkOpen();
        requireKeys("delete");
        checkKey(key);
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            int ret = LibBpf.bpf_map_delete_elem(fd(), arena.allocateFrom(ValueLayout.JAVA_BYTE, key));
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw failure("delete", errno);
            }
            return true;
        }
    }

    /**
     * Every key, in the kernel's order; for arrays every index. Read in batches of 4096
     * ({@code bpf_map_lookup_batch}) when the map supports them, else key by
     * key ({@code bpf_map_get_next_key} from the start): then, when other threads or programs
     * delete keys meanwhile, the kernel may restart from the first key, so iteration stops at
     * the first key seen twice.
     */
    public List<byte[]> keys() {
        checkOpen();
        requireKeys("iterate");
        if (batchState.lookup != MapBatches.Support.UNSUPPORTED) {
            BatchCursor cursor = new BatchCursor();
            cursor.bind(this, false);
            List<byte[]> keys = new ArrayList<>();
            while (!cursor.isDone()) {
                List<MapEntry> chunk = MapBatches.nextKernelChunk(this, cursor);
                if (chunk == null) {
                    return keysOneByOne();
                }
                chunk.forEach(entry -> keys.add(entry.key()));
            }
            return keys;
        }
        return keysOneByOne();
    }

    /** keys() through bpf_map_get_next_key, for maps without batch lookups. */
    private List<byte[]> keysOneByOne() {
        List<byte[]> keys = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        long limit = maxEntries > 0 ? 4L * maxEntries + 1024 : Long.MAX_VALUE;
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(keySize, 8);
            MemorySegment next = arena.allocate(keySize, 8);
            int fd = fd();
            boolean first = true;
            while (keys.size() < limit) {
                int ret = LibBpf.bpf_map_get_next_key(fd, first ? MemorySegment.NULL : current, next);
                if (ret < 0) {
                    int errno = MapNative.errno(ret);
                    if (errno == Errno.ENOENT) {
                        break;
                    }
                    throw failure("iterate", errno);
                }
                byte[] key = next.toArray(ValueLayout.JAVA_BYTE);
                if (!seen.add(ByteBuffer.wrap(key))) {
                    break;
                }
                keys.add(key);
                current.copyFrom(next);
                first = false;
            }
        }
        return keys;
    }

    /**
     * Every entry. Each {@code iterator()} walks the map anew, 4096 entries
     * per kernel call ({@code bpf_map_lookup_batch}) when the map supports batches; otherwise
     * it takes the {@link #keys()} snapshot and looks each key up when the iterator reaches it
     * (keys deleted meanwhile are skipped). For per-CPU maps {@link MapEntry#perCpuValues()} is
     * filled. To walk a large map without an object per entry use {@link #forEachBatch}.
     */
    public Iterable<MapEntry> entries() {
        checkOpen();
        requireKeys("iterate");
        return () -> batchState.lookup == MapBatches.Support.UNSUPPORTED ? entriesOneByOne() : new Iterator<>() {
            private final BatchCursor cursor = new BatchCursor();
            private Iterator<MapEntry> chunk = java.util.Collections.emptyIterator();
            private Iterator<MapEntry> fallback;

            {
                cursor.bind(BpfMap.this, false);
            }

            @Override
            public boolean hasNext() {
                if (fallback != null) {
                    return fallback.hasNext();
                }
                while (!chunk.hasNext() && !cursor.isDone()) {
                    List<MapEntry> next = MapBatches.nextKernelChunk(BpfMap.this, cursor);
                    if (next == null) {
                        fallback = entriesOneByOne();
                        return fallback.hasNext();
                    }
                    chunk = next.iterator();
                }
                return chunk.hasNext();
            }

            @Override
            public MapEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return fallback != null ? fallback.next() : chunk.next();
            }
        };
    }

    /** entries() key by key, for maps without batch lookups. */
    private Iterator<MapEntry> entriesOneByOne() {
        return new Iterator<>() {
            private final Iterator<byte[]> keys = keysOneByOne().iterator();
            private MapEntry next;

            @Override
            public boolean hasNext() {
                while (next == null && keys.hasNext()) {
                    byte[] key = keys.next();
                    Optional<byte[]> value = lookup(key);
                    if (value.isPresent()) {
                        byte[] raw = value.get();
                        next = new MapEntry(key, raw, type.isPerCpu() ? splitPerCpu(raw) : null);
                    }
                }
                return next != null;
            }

            @Override
            public MapEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                MapEntry entry = next;
                next = null;
                return entry;
            }
        };
    }

    // ---- batches ---------------------------------------------------------------------------

    /**
     * The next entries of a walk of the map ({@code bpf_map_lookup_batch}): at most maxEntries,
     * an empty list once {@link BatchCursor#isDone()}. Hash maps return whole buckets: fewer
     * entries when the next bucket would not fit, more only when one bucket alone holds more
     * than maxEntries. On maps whose kernel has no batch lookup (EINVAL
     * or ENOTSUPP on the first call, remembered for this map) the walk goes key by key with
     * the same results.
     *
     * <pre>{@code
     * BatchCursor cursor = new BatchCursor();
     * while (!cursor.isDone()) {
     *     for (MapEntry e : map.lookupBatch(cursor, 1000)) { ... }
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException when maxEntries is not positive, or the cursor belongs to
     *     another map or operation
     */
    public List<MapEntry> lookupBatch(BatchCursor cursor, int maxEntries) {
        checkOpen();
        requireKeys("lookup batch");
        return MapBatches.lookup(this, cursor, maxEntries, false);
    }

    /**
     * {@link #lookupBatch} that also deletes what it returns ({@code
     * bpf_map_lookup_and_delete_batch}); the fallback looks up and deletes key by key. Maps that
     * cannot delete (arrays) fail with {@link BpfException}.
     */
    public List<MapEntry> lookupAndDeleteBatch(BatchCursor cursor, int maxEntries) {
        checkOpen();
        requireKeys("lookup and delete batch");
        return MapBatches.lookup(this, cursor, maxEntries, true);
    }

    /**
     * Stores values.get(i) under keys.get(i) for every i ({@code bpf_map_update_batch}, in calls
     * of up to 1 MiB of keys and values; key by key where the kernel has no batch update, or
     * does not take flag in batches). Every size is checked before anything is written.
     *
     * @throws IllegalArgumentException when the lists differ in length or a key or value has
     *     the wrong size
     * @throws BpfException at the first entry that fails, naming its index (the entries before it
     *     are stored)
     */
    public void updateBatch(List<byte[]> keys, List<byte[]> values, UpdateFlag flag) {
        checkOpen();
        requireKeys("update batch");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(flag, "flag");
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("map " + name + ": " + keys.size() + " keys but " + values.size()
                    + " values");
        }
        for (int i = 0; i < keys.size(); i++) {
            checkKey(keys.get(i));
            checkValue(values.get(i));
        }
        MapBatches.update(this, keys, values, flag);
    }

    /** {@link #updateBatch(List, List, UpdateFlag)} with {@link UpdateFlag#ANY}. */
    public void updateBatch(List<byte[]> keys, List<byte[]> values) {
        updateBatch(keys, values, UpdateFlag.ANY);
    }

    /**
     * Deletes every key of keys that is in the map ({@code bpf_map_delete_batch}; key by key
     * where the kernel has none); keys that are not there are skipped. Returns how many were
     * deleted. Array maps cannot delete ({@link BpfException}, EINVAL).
     *
     * @throws IllegalArgumentException when a key has the wrong size (checked before anything
     *     is deleted)
     */
    public int deleteBatch(List<byte[]> keys) {
        checkOpen();
        requireKeys("delete batch");
        Objects.requireNonNull(keys, "keys");
        keys.forEach(this::checkKey);
        return MapBatches.delete(this, keys);
    }

    /**
     * Walks every entry, 4096 per kernel call ({@code bpf_map_lookup_batch},
     * or key by key on maps without it), handing each chunk to visitor straight from native
     * buffers reused for the whole walk: nothing is allocated per entry. Returns the number of
     * entries visited. An exception thrown by the visitor stops the walk and propagates.
     */
    public long forEachBatch(BatchVisitor visitor) {
        checkOpen();
        requireKeys("iterate");
        return MapBatches.forEach(this, visitor, false);
    }

    /** {@link #forEachBatch} forced key by key (for tests and measurements). */
    long forEachOneByOne(BatchVisitor visitor) {
        checkOpen();
        requireKeys("iterate");
        return MapBatches.forEach(this, visitor, true);
    }

    /** True when the kernel was found to lack batch lookups for this map (learnt on first use). */
    boolean batchLookupUnsupported() {
        return batchState.lookup == MapBatches.Support.UNSUPPORTED;
    }

    // ---- queues, stacks, bloom filters ------------------------------------------------------

    private void requireKind(String operation, MapType... types) {
        for (MapType t : types) {
            if (type == t) {
                return;
            }
        }
        throw new UnsupportedOperationException(operation + " " + name + ": not for a " + type.displayName()
                + " map (only " + String.join(", ", java.util.Arrays.stream(types).map(MapType::displayName).toList())
                + ")");
    }

    private void checkPlainValue(byte[] value) {
        Objects.requireNonNull(value, "value");
        if (value.length != valueSize) {
            throw new IllegalArgumentException("map " + name + ": value must be " + valueSize + " bytes, got "
                    + value.length);
        }
    }

    /**
     * Adds value to a {@link MapType#QUEUE}, {@link MapType#STACK} or {@link MapType#BLOOM_FILTER}
     * ({@code bpf_map_update_elem} without key). A full queue or stack fails with E2BIG.
     */
    public void push(byte[] value) {
        push(value, UpdateFlag.ANY);
    }

    /**
     * {@link #push(byte[])} as flag says: {@link UpdateFlag#ANY}, or for queues and stacks
     * {@link UpdateFlag#EXIST}, which makes room in a full map by dropping its oldest value
     * ({@code BPF_EXIST}). {@link UpdateFlag#NO_EXIST} means nothing here
     * (IllegalArgumentException).
     */
    public void push(byte[] value, UpdateFlag flag) {
        checkOpen();
        requireKind("push", MapType.QUEUE, MapType.STACK, MapType.BLOOM_FILTER);
        checkPlainValue(value);
        Objects.requireNonNull(flag, "flag");
        if (flag == UpdateFlag.NO_EXIST || (flag == UpdateFlag.EXIST && type == MapType.BLOOM_FILTER)) {
            throw new IllegalArgumentException("push " + name + ": a " + type.displayName() + " map does not take "
                    + flag);
        }
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(value.length, 1), 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_update_elem(fd(), MemorySegment.NULL, v, flag.value());
            if (ret < 0) {
                throw failure("push", MapNative.errno(ret));
            }
        }
    }

    /**
     * Removes and returns the next value of a {@link MapType#QUEUE} (the oldest) or {@link
     * MapType#STACK} (the newest) ({@code bpf_map_lookup_and_delete_elem} without key); empty
     * when there is none.
     */
    public Optional<byte[]> pop() {
        checkOpen();
        requireKind("pop", MapType.QUEUE, MapType.STACK);
        return keyless("pop", true);
    }

    /** The value {@link #pop()} would return, left in place ({@code bpf_map_lookup_elem} without key). */
    public Optional<byte[]> peek() {
        checkOpen();
        requireKind("peek", MapType.QUEUE, MapType.STACK);
        return keyless("peek", false);
    }

    private Optional<byte[]> keyless(String operation, boolean delete) {
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(valueSize, 1), 8);
            int ret = delete ? LibBpf.bpf_map_lookup_and_delete_elem(fd(), MemorySegment.NULL, v)
                    : LibBpf.bpf_map_lookup_elem(fd(), MemorySegment.NULL, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return Optional.empty();
                }
                throw failure(operation, errno);
            }
            return Optional.of(v.asSlice(0, valueSize).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * Asks a {@link MapType#BLOOM_FILTER} whether value may have been pushed: false means
     * certainly not, true means probably (bloom filters have false positives, never false
     * negatives).
     */
    public boolean mightContain(byte[] value) {
        checkOpen();
        requireKind("mightContain", MapType.BLOOM_FILTER);
        checkPlainValue(value);
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(value.length, 1), 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int ret = LibBpf.bpf_map_lookup_elem(fd(), MemorySegment.NULL, v);
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                if (errno == Errno.ENOENT) {
                    return false;
                }
                throw failure("mightContain", errno);
            }
            return true;
        }
    }

    /**
     * A typed view of a {@link MapType#QUEUE} or {@link MapType#STACK} (no copy; it shares this
     * map's lifetime).
     *
     * @throws IllegalArgumentException when the codec size differs from {@link #valueSize()}
     * @throws UnsupportedOperationException for other map types
     */
    public <V> TypedQueue<V> typed(Codec<V> value) {
        checkOpen();
        requireKind("typed queue view of", MapType.QUEUE, MapType.STACK);
        Objects.requireNonNull(value, "value");
        if (value.size() != valueSize) {
            throw new IllegalArgumentException("map " + name + ": value codec has " + value.size()
                    + " bytes, the map's values have " + valueSize);
        }
        return new TypedQueue<>(this, value);
    }

    // ---- stack traces, map-of-maps ----------------------------------------------------------

    /**
     * The instruction addresses of the stack a program stored under stackId in a {@link
     * MapType#STACK_TRACE} map ({@code bpf_get_stackid}'s result), innermost frame first;
     * an empty list when there is no stack under that id.
     *
     * @throws UnsupportedOperationException for other maps, and for maps of build-id stacks
     *     ({@code BPF_F_STACK_BUILD_ID})
     */
    public List<Long> stackTrace(int stackId) {
        checkOpen();
        requireKind("stackTrace", MapType.STACK_TRACE);
        if ((flags & dev.jbpf.bindings.BpfConstants.BPF_F_STACK_BUILD_ID) != 0) {
            throw new UnsupportedOperationException("stackTrace " + name
                    + ": the map holds build-id stacks (BPF_F_STACK_BUILD_ID), not addresses");
        }
        if (stackId < 0) {
            throw new IllegalArgumentException("a stack id is not negative (a negative bpf_get_stackid result is "
                    + "the error), got " + stackId);
        }
        Optional<byte[]> raw = lookup(Codec.INT.encode(stackId));
        if (raw.isEmpty()) {
            return List.of();
        }
        java.nio.LongBuffer frames = java.nio.ByteBuffer.wrap(raw.get()).order(java.nio.ByteOrder.nativeOrder())
                .asLongBuffer();
        List<Long> addresses = new ArrayList<>();
        while (frames.hasRemaining()) {
            long address = frames.get();
            if (address == 0) {
                break;
            }
            addresses.add(address);
        }
        return List.copyOf(addresses);
    }

    /**
     * Opens the inner map stored under key of an {@link MapType#ARRAY_OF_MAPS} or {@link
     * MapType#HASH_OF_MAPS} (a lookup returns its id): a new map that owns its fd, or empty when
     * no map is there. Inner maps are put with {@code update(key, Codec.INT.encode(inner.fd()))}:
     * map-of-maps (and program arrays) take fds when written and give ids when read.
     */
    public Optional<BpfMap> innerMap(byte[] key) {
        checkOpen();
        requireKind("innerMap", MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS);
        Optional<byte[]> id = lookup(key);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(openById(Codec.INT.decode(id.get())));
        } catch (BpfNotFoundException e) {
            return Optional.empty(); // replaced and freed since the lookup
        }
    }

    // ---- freezing --------------------------------------------------------------------------

    /**
     * Freezes the map ({@code bpf_map_freeze}): from now on user space can only read it; every
     * write through any fd (update, delete, push, batches) fails with EPERM. Programs may still
     * write it unless it was created {@code BPF_F_RDONLY_PROG}. Irreversible; freezing again
     * fails (EPERM, or EBUSY on some kernels).
     */
    public void freeze() {
        try (Owner.Use use = use()) {
            int ret = LibBpf.bpf_map_freeze(fd());
            if (ret < 0) {
                throw BpfException.of("freeze", name, MapNative.errno(ret), null);
            }
        }
    }

    /** True when the map was frozen ({@link #freeze()}), by this process or another (from /proc/self/fdinfo). */
    public boolean isFrozen() {
        checkOpen();
        return !"0".equals(fdInfo().getOrDefault("frozen", "0"));
    }

    private static final int O_ACCMODE = 3;
    private static final int O_RDONLY = 0;

    /** The fields of /proc/self/fdinfo/FD (map_type, frozen, flags, ...); empty when unreadable. */
    private Map<String, String> fdInfo() {
        try (Owner.Use use = use()) {
            return dev.jbpf.internal.FdInfo.of(fd());
        }
    }

    private static int parseOctal(String value) {
        try {
            return value == null ? -1 : Integer.parseInt(value, 8);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * A typed view of this map (no copy; it shares this map's lifetime).
     *
     * @throws IllegalArgumentException when the codec sizes differ from {@link #keySize()} and
     *     {@link #valueSize()}
     */
    public <K, V> TypedMap<K, V> typed(Codec<K> key, Codec<V> value) {
        checkOpen();
        requireKeys("typed view of");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.size() != keySize) {
            throw new IllegalArgumentException("map " + name + ": key codec has " + key.size()
                    + " bytes, the map's keys have " + keySize);
        }
        if (value.size() != valueSize) {
            throw new IllegalArgumentException("map " + name + ": value codec has " + value.size()
                    + " bytes, the map's values have " + valueSize);
        }
        return new TypedMap<>(this, key, value);
    }

    // ---- pins ------------------------------------------------------------------------------

    /**
     * Pins the map at path on a BPF file system ({@code bpf_obj_pin}), which keeps it alive
     * after every fd is closed, until {@link #unpin}. The path must lie on bpffs; under
     * /sys/fs/bpf bpffs is mounted first when it is not, and missing parent folders are created.
     */
    public void pin(Path path) {
        checkOpen();
        Objects.requireNonNull(path, "path");
        Path absolute = path.toAbsolutePath();
        BpfFs.preparePin(absolute);
        try (Owner.Use use = use(); Arena arena = Arena.ofConfined()) {
            int ret = LibBpf.bpf_obj_pin(fd(), arena.allocateFrom(absolute.toString()));
            if (ret < 0) {
                int errno = MapNative.errno(ret);
                String detail = "path " + absolute;
                if (errno == Errno.EEXIST) {
                    detail += " already exists";
                }
                throw BpfException.of("pin", name, errno, detail);
            }
        }
    }

    /**
     * Removes the pin at path. The pin must be of this map (else {@link BpfException}); no
     * pin there → {@link BpfNotFoundException}. The map itself lives on while fds or programs
     * use it.
     */
    public void unpin(Path path) {
        checkOpen();
        Objects.requireNonNull(path, "path");
        Path absolute = path.toAbsolutePath();
        int pinnedId;
        try (BpfMap pinned = openPinned(absolute)) {
            pinnedId = pinned.id;
        } catch (BpfNotFoundException e) {
            throw new BpfNotFoundException("unpin", name, Errno.ENOENT, "nothing pinned at " + absolute, e);
        }
        if (pinnedId != id) {
            throw new BpfException("unpin", name, 0, absolute + " pins map id " + pinnedId + ", not this map (id "
                    + id + ")");
        }
        try {
            Files.delete(absolute);
        } catch (NoSuchFileException e) {
            throw new BpfNotFoundException("unpin", name, Errno.ENOENT, "nothing pinned at " + absolute, e);
        } catch (IOException e) {
            throw new BpfException("unpin", name, 0, "cannot remove " + absolute + ": " + e, e);
        }
    }

    /**
     * Closes the fd this map owns; a no-op for maps of a loaded object (the object owns them)
     * and when already closed.
     */
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
