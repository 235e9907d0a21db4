package dev.jbpf.features;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the BPF sysctls and kernel build options the way bpftool's {@code system_config}
 * section does (feature.c: read_procfs, probe_kernel_image_config), so the two agree. Files
 * only; nothing native.
 */
final class SystemProbes {
    /** The options bpftool 7.5 reports, in its order (its list, not a result: values come from the config file). */
    static final List<String> OPTIONS = List.of("CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT",
            "CONFIG_BPF_JIT", "CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES",
            "CONFIG_CGROUPS", "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA",
            "CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING",
            "CONFIG_FTRACE_SYSCALLS", "CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET",
            "CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF",
            "CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM", "CONFIG_IP_ROUTE_CLASSID",
            "CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER",
            "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_TEST_BPF", "CONFIG_HZ");
    /** The second line of a kernel .config: bpftool's check that the file is one. */
    private static final String CONFIG_MARK = "# Automatically generated file; DO NOT EDIT.";

    private SystemProbes() {
    }

    static SystemConfig read() {
        Path config = configFile();
        Map<String, String> values = config == null ? Map.of() : options(config);
        List<ConfigOption> options = new ArrayList<>();
        for (String name : OPTIONS) {
            options.add(new ConfigOption(name, values.get(name)));
        }
        return new SystemConfig(
                (int) sysctl("/proc/sys/kernel/unprivileged_bpf_disabled"),
                (int) sysctl("/proc/sys/net/core/bpf_jit_enable"),
                (int) sysctl("/proc/sys/net/core/bpf_jit_harden"),
                (int) sysctl("/proc/sys/net/core/bpf_jit_kallsyms"),
                sysctl("/proc/sys/net/core/bpf_jit_limit"),
                values.isEmpty() ? null : config.toString(), options);
    }

    /**
     * The first line of a sysctl as a decimal number; -1 when missing or not a number (bpftool's
     * read_procfs). Read in one read: procfs answers an integer sysctl's reads past offset 0 with
     * nothing, and Files.readString reads a single byte first.
     */
    static long sysctl(String path) {
        try (BufferedReader reader = Files.newBufferedReader(Path.of(path))) {
            String line = reader.readLine();
            return line == null ? -1 : Long.parseLong(line);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** bpftool's order: /boot/config-RELEASE, then /proc/config.gz (CONFIG_IKCONFIG_PROC); null when neither is readable. */
    private static Path configFile() {
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/kernel/osrelease"))) {
            String release = reader.readLine();
            Path boot = Path.of("/boot/config-" + release);
            if (Files.isReadable(boot)) {
                return boot;
            }
        } catch (IOException e) {
            // no release: only /proc/config.gz is left to try
        }
        Path proc = Path.of("/proc/config.gz");
        return Files.isReadable(proc) ? proc : null;
    }

    /**
     * The CONFIG_X=value lines of a config (gzip or plain, as gzopen takes both), first
     * occurrence winning; empty when it is not a kernel config.
     */
    private static Map<String, String> options(Path config) {
        Map<String, String> values = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(config));
                BufferedReader reader = new BufferedReader(new InputStreamReader(gunzipped(raw), StandardCharsets.UTF_8))) {
            reader.readLine();
            if (!CONFIG_MARK.equals(reader.readLine())) {
                return Map.of();
            }
            for (String line; (line = reader.readLine()) != null;) {
                int equals = line.indexOf('=');
                if (line.startsWith("CONFIG_") && equals > 0 && equals < line.length() - 1) {
                    values.putIfAbsent(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            return Map.of(); // as bpftool: an unreadable config leaves every option unset
        }
        return values;
    }

    private static InputStream gunzipped(InputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b ? new GZIPInputStream(in) : in;
    }
}
