package dev.jbpf.exporter;

import dev.jbpf.internal.Errno;
import dev.jbpf.kallsyms.KernelSymbols;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ebpf_exporter's label decoders: each turns bytes into bytes (the map key's bytes for the first
 * decoder of a label, the previous decoder's text for the others), with the same output as
 * ebpf_exporter's for the same input. One instance per exporter; the caches it keeps (kernel
 * symbols, cgroup paths, block devices, interfaces) are plain Java memory. Thread-safe.
 */
final class Decoders {
    /** The decoders jbpf export has. */
    static final Set<String> NAMES = Set.of("uint", "string", "hex", "ksym", "kstack", "syscall", "errno", "static_map",
            "inet_ip", "regexp", "dname", "cgroup", "majorminor", "ifname");
    /** ebpf_exporter's decoders jbpf export does not have yet. */
    private static final Set<String> NOT_YET = Set.of("pci_vendor", "pci_device", "pci_class", "pci_subclass");
    /** Decoders that read the text of a decimal number (a uint decoder before them). */
    private static final Set<String> NUMBER_TEXT = Set.of("syscall", "errno", "cgroup");
    /** Decoders that read the key's raw bytes, with the least bytes they need. */
    private static final Map<String, Integer> RAW_MINIMUM = Map.of("uint", 1, "ksym", 8, "kstack", 8, "majorminor", 4,
            "ifname", 4);
    /** Errno values Go's unix.ErrnoName knows on Linux: 1..133. */
    private static final int LAST_ERRNO = 133;
    /** 95: the one errno whose name in Go's table (ENOTSUP) differs from the loader's (EOPNOTSUPP). */
    private static final int EOPNOTSUPP = 95;
    private static final long SYMBOL_RELOAD_NANOS = 5_000_000_000L;

    private static final Map<Long, String> SYSCALLS = readSyscalls();

    private final Path cgroupRoot;
    private final Path partitions;
    private final Object symbolsLock = new Object();
    private KernelSymbols symbols;
    private long symbolsReadAt;
    private final Map<Long, String> cgroupPaths = new ConcurrentHashMap<>();
    private final Map<Long, byte[]> devices = new ConcurrentHashMap<>();
    private final Map<Integer, byte[]> interfaces = new ConcurrentHashMap<>();

    Decoders() {
        this(CgroupTree.cgroup2Root(), Path.of("/proc/partitions"));
    }

    /** With other files, for tests: the cgroup v2 hierarchy (null: none) and the partitions table. */
    Decoders(Path cgroupRoot, Path partitions) {
        this.cgroupRoot = cgroupRoot;
        this.partitions = partitions;
    }

    static void requireKnown(String name, SourceLine where) {
        if (NOT_YET.contains(name)) {
            throw new ConfigException(where, "decoder '" + name + "' is not supported by jbpf export yet; use hex or uint instead");
        }
        if (!NAMES.contains(name)) {
            throw new ConfigException(where, "unknown decoder '" + name + "'; use one of "
                    + String.join(", ", NAMES.stream().sorted().toList()));
        }
    }

    /**
     * Refuses at start what ebpf_exporter would fail on at every scrape: a decoder that cannot
     * read what the decoder before it (or the key) gives it.
     */
    static void checkChain(LabelConfig label) {
        boolean raw = true;
        for (DecoderConfig decoder : label.decoders()) {
            String name = decoder.name();
            if (raw && NUMBER_TEXT.contains(name)) {
                throw new ConfigException(decoder.where(), "decoder " + name + " of label '" + label.name()
                        + "' reads a number's text; put '- name: uint' before it");
            }
            if (RAW_MINIMUM.containsKey(name)) {
                if (!raw) {
                    throw new ConfigException(decoder.where(), "decoder " + name + " of label '" + label.name()
                            + "' reads the key's bytes; make it the label's first decoder");
                }
                if (name.equals("uint") && !Set.of(1, 2, 4, 8).contains(label.size())) {
                    throw new ConfigException(decoder.where(), "decoder uint reads 1, 2, 4 or 8 bytes, but label '"
                            + label.name() + "' has size " + label.size() + "; fix the size or use hex");
                }
                if (label.size() < RAW_MINIMUM.get(name) || (name.equals("kstack") && label.size() % 8 != 0)) {
                    throw new ConfigException(decoder.where(), "decoder " + name + " needs " + (name.equals("kstack")
                            ? "a multiple of 8" : "at least " + RAW_MINIMUM.get(name)) + " bytes, but label '"
                            + label.name() + "' has size " + label.size());
                }
            }
            raw = false;
        }
    }

    /**
     * The label values of one map key: each label's {@code size} bytes (then its padding) through
     * its decoders, as ebpf_exporter's decodeLabels.
     *
     * @throws SkipLabelSet when a regexp decoder matched nothing: the entry is left out
     */
    List<String> decodeLabels(byte[] key, List<LabelConfig> labels) throws DecodeException, SkipLabelSet {
        int total = 0;
        for (LabelConfig label : labels) {
            total += label.size() + label.padding();
        }
        if (total != key.length) {
            throw new DecodeException("the key has " + key.length + " bytes but the labels describe " + total);
        }
        List<String> values = new ArrayList<>(labels.size());
        int offset = 0;
        for (LabelConfig label : labels) {
            byte[] value = Arrays.copyOfRange(key, offset, offset + label.size());
            for (DecoderConfig decoder : label.decoders()) {
                value = decode(value, decoder);
            }
            values.add(new String(value, StandardCharsets.UTF_8));
            offset += label.size() + label.padding();
        }
        return values;
    }

    byte[] decode(byte[] in, DecoderConfig conf) throws DecodeException, SkipLabelSet {
        return switch (conf.name()) {
            case "uint" -> ascii(Long.toUnsignedString(unsigned(in)));
            case "string" -> Arrays.copyOf(in, cLength(in));
            case "hex" -> ascii(HexFormat.of().formatHex(in));
            case "ksym" -> ascii(ksym(u64(in)));
            case "kstack" -> utf8(kstack(in));
            case "syscall" -> ascii(syscall(number(in)));
            case "errno" -> ascii(errno(number(in)));
            case "static_map" -> staticMap(in, conf);
            case "inet_ip" -> ascii(inetIp(in));
            case "regexp" -> regexp(in, conf.regexps());
            case "dname" -> dname(in);
            case "cgroup" -> utf8(cgroup(number(in)));
            case "majorminor" -> majorMinor(in);
            case "ifname" -> interfaceName(in);
            default -> throw new DecodeException("unknown decoder '" + conf.name() + "'");
        };
    }

    // ---- the decoders

    private static long unsigned(byte[] in) throws DecodeException {
        ByteBuffer buffer = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder());
        return switch (in.length) {
            case 8 -> buffer.getLong();
            case 4 -> Integer.toUnsignedLong(buffer.getInt());
            case 2 -> Short.toUnsignedLong(buffer.getShort());
            case 1 -> Byte.toUnsignedLong(in[0]);
            default -> throw new DecodeException("uint cannot read " + in.length + " bytes");
        };
    }

    private static long u64(byte[] in) {
        return ByteBuffer.wrap(in, 0, 8).order(ByteOrder.nativeOrder()).getLong();
    }

    private static int u32(byte[] in) {
        return ByteBuffer.wrap(in, 0, 4).order(ByteOrder.nativeOrder()).getInt();
    }

    /** The decimal number a uint decoder wrote. */
    private static long number(byte[] in) throws DecodeException {
        String text = new String(in, StandardCharsets.UTF_8);
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new DecodeException("'" + text + "' is not a number");
        }
    }

    private static int cLength(byte[] in) {
        for (int i = 0; i < in.length; i++) {
            if (in[i] == 0) {
                return i;
            }
        }
        return in.length;
    }

    /** The symbol at exactly this address; /proc/kallsyms is read again (at most every 5 s) on a miss. */
    String ksym(long address) {
        Optional<String> name = symbols(false).at(address);
        if (name.isEmpty()) {
            name = symbols(true).at(address);
        }
        return name.orElse("unknown_addr:0x" + Long.toHexString(address));
    }

    private String kstack(byte[] in) {
        List<String> frames = new ArrayList<>();
        for (int offset = 0; offset + 8 <= in.length; offset += 8) {
            long address = u64(Arrays.copyOfRange(in, offset, offset + 8));
            if (address == 0) {
                break;
            }
            String name = symbols(false).name(address);
            frames.add(name.equals("[unknown]") ? "??" : name);
        }
        return String.join("\n", frames);
    }

    private KernelSymbols symbols(boolean refresh) {
        synchronized (symbolsLock) {
            long now = System.nanoTime();
            if (symbols == null || (refresh && now - symbolsReadAt > SYMBOL_RELOAD_NANOS)) {
                symbols = KernelSymbols.load();
                symbolsReadAt = now;
            }
            return symbols;
        }
    }

    static String syscall(long number) {
        String name = SYSCALLS.get(number);
        return name != null ? name : "unknown_syscall:" + Long.toUnsignedString(number);
    }

    static String errno(long value) {
        if (value == EOPNOTSUPP) {
            // glibc and the loader's table call 95 EOPNOTSUPP (ENOTSUP is its alias); Go's
            // unix.ErrnoName, which ebpf_exporter uses, names it ENOTSUP: keep its label value
            return "ENOTSUP";
        }
        if (value > 0 && value <= LAST_ERRNO) {
            Optional<String> name = Errno.knownName((int) value);
            if (name.isPresent()) {
                return name.get();
            }
        }
        return "unknown:" + Long.toUnsignedString(value);
    }

    private static byte[] staticMap(byte[] in, DecoderConfig conf) {
        if (conf.staticMap().isEmpty()) {
            return ascii("empty mapping");
        }
        String key = new String(in, StandardCharsets.UTF_8);
        String value = conf.staticMap().get(key);
        if (value != null) {
            return utf8(value);
        }
        return conf.allowUnknown() ? in : utf8("unknown:" + key);
    }

    /** Go's net.IP String(): dotted IPv4 (also for v4-mapped IPv6), RFC 5952 IPv6, else "?" and hex. */
    static String inetIp(byte[] in) {
        if (in.length == 0) {
            return "<nil>";
        }
        if (in.length == 4) {
            return dotted(in, 0);
        }
        if (in.length != 16) {
            return "?" + HexFormat.of().formatHex(in);
        }
        boolean mapped = in[10] == (byte) 0xff && in[11] == (byte) 0xff;
        for (int i = 0; i < 10 && mapped; i++) {
            mapped = in[i] == 0;
        }
        if (mapped) {
            return dotted(in, 12);
        }
        return dev.jbpf.internal.InetText.ipv6(in);
    }

    private static String dotted(byte[] in, int offset) {
        return (in[offset] & 0xff) + "." + (in[offset + 1] & 0xff) + "." + (in[offset + 2] & 0xff) + "." + (in[offset + 3] & 0xff);
    }

    /** The first pattern that matches: its only group, or the whole match when it has no group. */
    static byte[] regexp(byte[] in, List<Pattern> patterns) throws SkipLabelSet {
        String text = new String(in, StandardCharsets.UTF_8);
        for (Pattern pattern : patterns) {
            Matcher matcher = pattern.matcher(text);
            if (!matcher.find()) {
                continue;
            }
            if (matcher.groupCount() == 1) {
                return utf8(matcher.group(1) == null ? "" : matcher.group(1));
            }
            if (matcher.groupCount() == 0) {
                return utf8(matcher.group());
            }
            // more than one group: ebpf_exporter takes neither and tries the next pattern
        }
        throw SkipLabelSet.INSTANCE;
    }

    /** A DNS name in wire format (length-prefixed labels) as dotted text. */
    static byte[] dname(byte[] in) {
        if (in.length == 0) {
            return ascii(".");
        }
        byte[] out = new byte[in.length];
        int offset = 0;
        while (offset < in.length) {
            int length = in[offset] & 0xff;
            out[offset] = '.';
            offset++;
            if (offset + length > in.length) {
                return in; // not wire format: left as it is
            }
            System.arraycopy(in, offset, out, offset, length);
            offset += length;
        }
        return Arrays.copyOfRange(out, 1, out.length);
    }

    /** The cgroup directory whose inode is {@code id}, walking the hierarchy again on a miss. */
    String cgroup(long id) {
        String path = cgroupPaths.get(id);
        if (path == null) {
            walkCgroups();
            path = cgroupPaths.computeIfAbsent(id, unknown -> ""); // not found: not walked again for it
        }
        return path.isEmpty() ? "unknown_cgroup_id:" + id : path;
    }

    private void walkCgroups() {
        if (cgroupRoot != null) {
            cgroupPaths.putAll(CgroupTree.walk(cgroupRoot, null));
        }
    }

    /** The block device of a kernel dev_t (new_encode_dev) by /proc/partitions: "sda2". */
    private byte[] majorMinor(byte[] in) {
        long dev = Integer.toUnsignedLong(u32(in));
        byte[] known = devices.get(dev);
        if (known != null) {
            return known;
        }
        long major = (dev >> 8) & 0xfff;
        long minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
        String name = partitionName(major, minor);
        if (name == null) {
            return ascii("unknown:" + major + ":" + minor);
        }
        devices.put(dev, utf8(name));
        return devices.get(dev);
    }

    private String partitionName(long major, long minor) {
        try {
            for (String line : Files.readAllLines(partitions)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length == 4 && fields[0].equals(Long.toString(major)) && fields[1].equals(Long.toString(minor))) {
                    return fields[3];
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private byte[] interfaceName(byte[] in) {
        int index = u32(in);
        byte[] known = interfaces.get(index);
        if (known != null) {
            return known;
        }
        try {
            NetworkInterface device = NetworkInterface.getByIndex(index);
            if (device != null) {
                interfaces.put(index, utf8(device.getName()));
                return interfaces.get(index);
            }
        } catch (SocketException e) {
            // as unknown
        }
        return ascii("unknown:" + Integer.toUnsignedString(index));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<Long, String> readSyscalls() {
        Map<Long, String> table = new HashMap<>();
        if (!System.getProperty("os.arch").equals("amd64")) {
            return table; // every number reads as unknown_syscall:N
        }
        try (InputStream in = Decoders.class.getResourceAsStream("syscalls-x86_64.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split(" ");
                table.put(Long.parseLong(fields[0]), fields[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the syscall table of jbpf-exporter is unreadable", e);
        }
        return Map.copyOf(table);
    }
}
