package dev.jbpf.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.testing.UnitTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each decoder's output for ebpf_exporter's inputs (the cases of its decoder tests, and the edges). */
@UnitTest
class DecodersTest {
    private static final SourceLine HERE = new SourceLine(Path.of("t.yaml"), 1);

    @TempDir
    Path dir;

    private static DecoderConfig decoder(String name) {
        return new DecoderConfig(name, Map.of(), List.of(), false, HERE);
    }

    private String decode(Decoders decoders, String name, byte[] in) throws Exception {
        return new String(decoders.decode(in, decoder(name)), StandardCharsets.UTF_8);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] le(int bytes, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[bytes];
        System.arraycopy(b.array(), 0, out, 0, bytes);
        return out;
    }

    @Test
    void integersStringsAndHex() throws Exception {
        Decoders d = new Decoders(null, dir.resolve("none"));
        assertEquals("255", decode(d, "uint", le(1, 255)));
        assertEquals("65535", decode(d, "uint", le(2, 65535)));
        assertEquals("4294967295", decode(d, "uint", le(4, 0xffffffffL)));
        assertEquals("18446744073709551615", decode(d, "uint", le(8, -1)));
        assertThrows(DecodeException.class, () -> d.decode(new byte[3], decoder("uint")));
        assertEquals("bash", decode(d, "string", text("bash\0\0garbage")));
        assertEquals("full", decode(d, "string", text("full")));
        assertEquals("00ff10", decode(d, "hex", new byte[] {0, (byte) 0xff, 0x10}));
    }

    /** Go's unix.ErrnoName on linux/amd64 (golang.org/x/sys/unix zerrors_linux_amd64.go, errorList): 1..133. */
    private static final String GO_ERRNO_NAMES = """
            1=EPERM 2=ENOENT 3=ESRCH 4=EINTR 5=EIO 6=ENXIO
            7=E2BIG 8=ENOEXEC 9=EBADF 10=ECHILD 11=EAGAIN 12=ENOMEM
            13=EACCES 14=EFAULT 15=ENOTBLK 16=EBUSY 17=EEXIST 18=EXDEV
            19=ENODEV 20=ENOTDIR 21=EISDIR 22=EINVAL 23=ENFILE 24=EMFILE
            25=ENOTTY 26=ETXTBSY 27=EFBIG 28=ENOSPC 29=ESPIPE 30=EROFS
            31=EMLINK 32=EPIPE 33=EDOM 34=ERANGE 35=EDEADLK 36=ENAMETOOLONG
            37=ENOLCK 38=ENOSYS 39=ENOTEMPTY 40=ELOOP 42=ENOMSG 43=EIDRM
            44=ECHRNG 45=EL2NSYNC 46=EL3HLT 47=EL3RST 48=ELNRNG 49=EUNATCH
            50=ENOCSI 51=EL2HLT 52=EBADE 53=EBADR 54=EXFULL 55=ENOANO
            56=EBADRQC 57=EBADSLT 59=EBFONT 60=ENOSTR 61=ENODATA 62=ETIME
            63=ENOSR 64=ENONET 65=ENOPKG 66=EREMOTE 67=ENOLINK 68=EADV
            69=ESRMNT 70=ECOMM 71=EPROTO 72=EMULTIHOP 73=EDOTDOT 74=EBADMSG
            75=EOVERFLOW 76=ENOTUNIQ 77=EBADFD 78=EREMCHG 79=ELIBACC 80=ELIBBAD
            81=ELIBSCN 82=ELIBMAX 83=ELIBEXEC 84=EILSEQ 85=ERESTART 86=ESTRPIPE
            87=EUSERS 88=ENOTSOCK 89=EDESTADDRREQ 90=EMSGSIZE 91=EPROTOTYPE 92=ENOPROTOOPT
            93=EPROTONOSUPPORT 94=ESOCKTNOSUPPORT 95=ENOTSUP 96=EPFNOSUPPORT 97=EAFNOSUPPORT 98=EADDRINUSE
            99=EADDRNOTAVAIL 100=ENETDOWN 101=ENETUNREACH 102=ENETRESET 103=ECONNABORTED 104=ECONNRESET
            105=ENOBUFS 106=EISCONN 107=ENOTCONN 108=ESHUTDOWN 109=ETOOMANYREFS 110=ETIMEDOUT
            111=ECONNREFUSED 112=EHOSTDOWN 113=EHOSTUNREACH 114=EALREADY 115=EINPROGRESS 116=ESTALE
            117=EUCLEAN 118=ENOTNAM 119=ENAVAIL 120=EISNAM 121=EREMOTEIO 122=EDQUOT
            123=ENOMEDIUM 124=EMEDIUMTYPE 125=ECANCELED 126=ENOKEY 127=EKEYEXPIRED 128=EKEYREVOKED
            129=EKEYREJECTED 130=EOWNERDEAD 131=ENOTRECOVERABLE 132=ERFKILL 133=EHWPOISON
            """;

    @Test
    void errnoNamesAreGosForEveryNumber() throws Exception {
        Decoders d = new Decoders(null, dir.resolve("none"));
        Map<String, String> go = new java.util.HashMap<>();
        for (String item : GO_ERRNO_NAMES.trim().split("\\s+")) {
            String[] pair = item.split("=");
            go.put(pair[0], pair[1]);
        }
        assertEquals(131, go.size());
        for (int n = 0; n <= 140; n++) {
            String number = Integer.toString(n);
            assertEquals(go.getOrDefault(number, "unknown:" + n), decode(d, "errno", text(number)), "errno " + n);
        }
    }

    @Test
    void syscallsAndErrnos() throws Exception {
        Decoders d = new Decoders(null, dir.resolve("none"));
        assertEquals("getppid", decode(d, "syscall", text("110")));
        assertEquals("read", decode(d, "syscall", text("0")));
        assertEquals("exit", decode(d, "syscall", text("231")), "ebpf_exporter's (strace's) name for exit_group");
        assertEquals("unknown_syscall:9999", decode(d, "syscall", text("9999")));
        assertEquals("unknown:0", decode(d, "errno", text("0")));
        assertEquals("EPERM", decode(d, "errno", text("1")));
        assertEquals("EPIPE", decode(d, "errno", text("32")));
        assertEquals("ECONNRESET", decode(d, "errno", text("104")));
        assertEquals("EHWPOISON", decode(d, "errno", text("133")));
        assertEquals("ENOTSUP", decode(d, "errno", text("95")), "Go's unix.ErrnoName(95), not glibc's EOPNOTSUPP");
        assertEquals("EAGAIN", decode(d, "errno", text("11")), "Go's name, not its alias EWOULDBLOCK");
        assertEquals("EDEADLK", decode(d, "errno", text("35")), "Go's name, not its alias EDEADLOCK");
        assertEquals("unknown:41", decode(d, "errno", text("41")), "no errno 41 on Linux");
        assertEquals("unknown:58", decode(d, "errno", text("58")), "no errno 58 on Linux");
        assertEquals("unknown:524", decode(d, "errno", text("524")), "ENOTSUPP is kernel-internal: Go does not name it");
        assertEquals("unknown:1000", decode(d, "errno", text("1000")));
        assertThrows(DecodeException.class, () -> d.decode(text("x"), decoder("errno")));
    }

    @Test
    void staticMapsAndRegexps() throws Exception {
        Decoders d = new Decoders(null, dir.resolve("none"));
        DecoderConfig map = new DecoderConfig("static_map", Map.of("2", "ipv4"), List.of(), false, HERE);
        assertEquals("ipv4", new String(d.decode(text("2"), map), StandardCharsets.UTF_8));
        assertEquals("unknown:7", new String(d.decode(text("7"), map), StandardCharsets.UTF_8));
        DecoderConfig passing = new DecoderConfig("static_map", Map.of("2", "ipv4"), List.of(), true, HERE);
        assertEquals("7", new String(d.decode(text("7"), passing), StandardCharsets.UTF_8));
        assertEquals("empty mapping", decode(d, "static_map", text("7")));

        List<Pattern> patterns = List.of(Pattern.compile("^(kswapd).*$"), Pattern.compile("^(a)(b)$"), Pattern.compile("^sys.*$"));
        assertEquals("kswapd", new String(Decoders.regexp(text("kswapd0"), patterns), StandardCharsets.UTF_8));
        assertEquals("systemd", new String(Decoders.regexp(text("systemd"), patterns), StandardCharsets.UTF_8));
        // two groups: ebpf_exporter takes neither and goes on; nothing else matches: the label set is skipped
        assertThrows(SkipLabelSet.class, () -> Decoders.regexp(text("ab"), patterns));
    }

    @Test
    void addressesAndNames() throws Exception {
        assertEquals("1.2.3.4", Decoders.inetIp(new byte[] {1, 2, 3, 4}));
        assertEquals("2400:cb00:4:1024::a29e:fd8f", Decoders.inetIp(HexFormat.of().parseHex("2400cb0000041024" + "00000000a29efd8f")));
        assertEquals("::1", Decoders.inetIp(HexFormat.of().parseHex("00000000000000000000000000000001")));
        assertEquals("10.0.0.1", Decoders.inetIp(HexFormat.of().parseHex("00000000000000000000ffff0a000001")), "v4-mapped");
        assertEquals("1:0:1:0:1:0:1:0", Decoders.inetIp(HexFormat.of().parseHex("00010000000100000001000000010000")));
        assertEquals("?010203", Decoders.inetIp(new byte[] {1, 2, 3}));
        assertEquals("www.example.com", new String(Decoders.dname(text("\3www\7example\3com")), StandardCharsets.UTF_8));
        assertEquals(".", new String(Decoders.dname(new byte[0]), StandardCharsets.UTF_8));
        assertArrayEquals(text("\11abc"), Decoders.dname(text("\11abc")), "a length past the end: left as it is");
    }

    @Test
    void blockDevicesCgroupsAndSymbols() throws Exception {
        Path partitions = Files.writeString(dir.resolve("partitions"), """
                major minor  #blocks  name

                   8        0  104857600 sda
                   8        2  104855535 sda2
                 259        1  500107608 nvme0n1p1
                """);
        Path cgroups = Files.createDirectories(dir.resolve("cg/system.slice/a.service"));
        Decoders d = new Decoders(dir.resolve("cg"), partitions);
        assertEquals("sda2", decode(d, "majorminor", le(4, (8 << 8) | 2)));
        // new_encode_dev: minor's low 8 bits, major, then minor's high bits
        assertEquals("nvme0n1p1", decode(d, "majorminor", le(4, (259 << 8) | 1)));
        assertEquals("unknown:7:300", decode(d, "majorminor", le(4, (7 << 8) | (300 & 0xff) | ((300L & ~0xff) << 12))));
        long inode = ((Number) Files.getAttribute(cgroups, "unix:ino")).longValue();
        assertEquals(cgroups.toString(), decode(d, "cgroup", text(Long.toString(inode))));
        assertEquals("unknown_cgroup_id:1", decode(new Decoders(null, partitions), "cgroup", text("1")));
        assertEquals("unknown_addr:0x10", decode(d, "ksym", le(8, 0x10)));
    }

    @Test
    void labelsAreCutFromTheKeyWithTheirPadding() throws Exception {
        Decoders d = new Decoders(null, dir.resolve("none"));
        LabelConfig a = new LabelConfig("a", 2, 2, List.of(decoder("uint")), HERE);
        LabelConfig b = new LabelConfig("b", 4, 0, List.of(decoder("hex")), HERE);
        byte[] key = {7, 0, (byte) 0xee, (byte) 0xee, 1, 2, 3, 4};
        assertEquals(List.of("7", "01020304"), d.decodeLabels(key, List.of(a, b)));
        assertThrows(DecodeException.class, () -> d.decodeLabels(new byte[7], List.of(a, b)));
    }
}
