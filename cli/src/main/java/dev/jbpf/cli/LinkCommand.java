package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.link.BpfLink;
import dev.jbpf.link.LinkInfo;
import dev.jbpf.link.LinkTarget;
import dev.jbpf.link.LinkType;
import dev.jbpf.perf.HardwareEvent;
import dev.jbpf.perf.SoftwareEvent;
import dev.jbpf.program.ProgramInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf link list | show | pin | detach}: the kernel's BPF links (a program attached to a
 * hook), as {@code bpftool link} shows and handles them.
 */
@Command(name = "link", description = "Inspect, pin and detach BPF links (attached programs).",
        mixinStandardHelpOptions = true,
        subcommands = {LinkCommand.ListLinks.class, LinkCommand.Pin.class, LinkCommand.Detach.class})
final class LinkCommand {
    private LinkCommand() {
    }

    @Command(name = "list", aliases = "show",
            description = "List every BPF link in the kernel with its program and where it is attached, or the one a "
                    + "selector names: " + ObjectSelector.LINK_SYNTAX + ". With -j a selector prints one object, as bpftool does.")
    static final class ListLinks implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Spec
        CommandSpec spec;
        @Parameters(arity = "0..2", paramLabel = "SELECTOR", description = ObjectSelector.LINK_SYNTAX)
        List<String> selector;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Describer describer = new Describer();
            if (selector != null && !selector.isEmpty()) {
                LinkInfo info;
                try (BpfLink link = ObjectSelector.link(selector).openLink()) {
                    info = link.info();
                }
                if (options.json()) {
                    Output.printJson(out, describer.json(info), options);
                } else {
                    out.println(describer.text(info));
                    out.flush();
                }
                return Main.EXIT_OK;
            }
            if (options.json()) {
                try (Output.JsonArrayWriter array = new Output.JsonArrayWriter(out, options)) {
                    LinkInfo.forEach(info -> array.add(describer.json(info)));
                }
                return Main.EXIT_OK;
            }
            LinkInfo.forEach(info -> out.println(describer.text(info)));
            out.flush();
            return Main.EXIT_OK;
        }
    }

    @Command(name = "pin", description = "Pin a link in bpffs: SELECTOR PATH (" + ObjectSelector.LINK_SYNTAX
            + "); the pin keeps the program attached. An existing pin is replaced only with --force.")
    static final class Pin implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Mixin
        PinOptions pinOptions;
        @Parameters(arity = "3", paramLabel = "WORDS", description = ObjectSelector.LINK_SYNTAX + ", then the new PATH")
        List<String> words;

        @Override
        public Integer call() {
            ObjectSelector select = ObjectSelector.link(words.subList(0, 2));
            pinOptions.fileMode(); // a bad --pin-mode is a usage error before anything is opened
            try (BpfLink link = select.openLink()) {
                pinOptions.pinAt(Path.of(words.get(2)), link::pin);
            }
            return options.doneSilently();
        }
    }

    @Command(name = "detach", description = "Detach a link's program from its hook now, whoever holds the link: "
            + ObjectSelector.LINK_SYNTAX + ". The kernel does this for cgroup, XDP, tcx, netkit, netns, netfilter, "
            + "sockmap and struct_ops links; other links detach when their pins are removed and their process ends.")
    static final class Detach implements Callable<Integer> {
        @Mixin
        CommonOptions options;
        @Parameters(arity = "2", paramLabel = "SELECTOR", description = ObjectSelector.LINK_SYNTAX)
        List<String> selector;

        @Override
        public Integer call() {
            try (BpfLink link = ObjectSelector.link(selector).openLink()) {
                link.detach();
            }
            return options.doneSilently();
        }
    }

    /**
     * Renders links as bpftool does, text and JSON; reads what the link info only refers to
     * (program types, kernel symbols, interface names) when a link needs it, once per command.
     */
    static final class Describer {
        private Map<Long, String[]> kernelSymbols;

        /** bpftool's text of one link: "ID: TYPE  prog N" then the hook on the next line(s). */
        String text(LinkInfo info) {
            StringBuilder line = new StringBuilder();
            line.append(info.id()).append(": ")
                    .append(info.type() == LinkType.UNKNOWN ? "type " + info.kernelType() : info.type().displayName());
            line.append(info.target() instanceof LinkTarget.StructOps ops ? "  map " + ops.mapId() : "  prog " + info.programId());
            switch (info.target()) {
                case LinkTarget.RawTracepoint raw -> line.append("\n\ttp '").append(raw.tracepoint()).append('\'');
                case LinkTarget.Tracing tracing -> {
                    line.append("\n\tprog_type ").append(programType(info.programId()).orElse("?"))
                            .append("  attach_type ").append(attachType(tracing.attachType()));
                    if (tracing.targetObjectId() != 0 || tracing.targetBtfId() != 0) {
                        line.append("\n\ttarget_obj_id ").append(tracing.targetObjectId())
                                .append("  target_btf_id ").append(tracing.targetBtfId());
                    }
                }
                case LinkTarget.Cgroup cgroup -> line.append("\n\tcgroup_id ").append(Long.toUnsignedString(cgroup.cgroupId()))
                        .append("  attach_type ").append(attachType(cgroup.attachType()));
                case LinkTarget.Iter iter -> {
                    line.append("  target_name ").append(iter.target());
                    if (isMapIterator(iter.target())) {
                        line.append("  map_id ").append(iter.mapId());
                    } else if (isTaskIterator(iter.target()) && (iter.taskTid() != 0 || iter.taskPid() != 0)) {
                        line.append(iter.taskTid() != 0 ? "  tid " + iter.taskTid() : "  pid " + iter.taskPid());
                    }
                    if (iter.target().equals("cgroup")) {
                        line.append("  cgroup_id ").append(Long.toUnsignedString(iter.cgroupId()))
                                .append("  order ").append(cgroupOrder(iter.cgroupOrder()));
                    }
                }
                case LinkTarget.Netns netns -> line.append("\n\tnetns_ino ").append(Integer.toUnsignedString(netns.netnsInode()))
                        .append("  attach_type ").append(attachType(netns.attachType()));
                case LinkTarget.Netfilter netfilter -> line.append("\n\t").append(netfilterText(netfilter));
                case LinkTarget.Tcx tcx -> line.append("\n\tifindex ").append(deviceText(tcx.ifindex()))
                        .append("  attach_type ").append(attachType(tcx.attachType()));
                case LinkTarget.Netkit netkit -> line.append("\n\tifindex ").append(deviceText(netkit.ifindex()))
                        .append("  attach_type ").append(attachType(netkit.attachType()));
                case LinkTarget.Xdp xdp -> line.append("\n\tifindex ").append(deviceText(xdp.ifindex()));
                case LinkTarget.Sockmap sockmap -> line.append("\n\tmap_id ").append(sockmap.mapId())
                        .append("  attach_type ").append(attachType(sockmap.attachType()));
                case LinkTarget.KprobeMulti multi -> kprobeMultiText(line, multi);
                case LinkTarget.UprobeMulti multi -> uprobeMultiText(line, multi);
                case LinkTarget.PerfTracepoint tracepoint -> {
                    line.append("\n\ttracepoint ").append(tracepoint.tracepoint());
                    appendCookie(line, tracepoint.cookie());
                }
                case LinkTarget.PerfKprobe kprobe -> {
                    line.append(kprobe.retprobe() ? "\n\tkretprobe " : "\n\tkprobe ");
                    if (kprobe.address() != 0) {
                        line.append(Long.toHexString(kprobe.address())).append(' ');
                    }
                    line.append(kprobe.function());
                    if (kprobe.offset() != 0) {
                        line.append("+0x").append(Integer.toHexString(kprobe.offset()));
                    }
                    if (kprobe.missed() != 0) {
                        line.append("  missed ").append(kprobe.missed());
                    }
                    appendCookie(line, kprobe.cookie());
                }
                case LinkTarget.PerfUprobe uprobe -> {
                    line.append(uprobe.retprobe() ? "\n\turetprobe " : "\n\tuprobe ").append(uprobe.file()).append('+')
                            .append(uprobe.offset() == 0 ? "0" : "0x" + Integer.toHexString(uprobe.offset()));
                    appendCookie(line, uprobe.cookie());
                }
                case LinkTarget.PerfCounter counter -> {
                    line.append("\n\tevent ").append(perfTypeName(counter.eventType()).orElse(counter.eventType() + " "))
                            .append(':').append(perfConfigName(counter.eventType(), counter.config())
                                    .orElse(Long.toUnsignedString(counter.config())));
                    appendCookie(line, counter.cookie());
                }
                case LinkTarget.StructOps ops -> { } // the map id is in the header
                case LinkTarget.Unknown unknown -> { }
            }
            return line.toString();
        }

        /** One link as {@code bpftool link show -j} prints it (same fields, order and types). */
        ObjectNode json(LinkInfo info) {
            ObjectNode node = Output.object();
            node.put("id", info.id());
            if (info.type() == LinkType.UNKNOWN) {
                node.put("type", info.kernelType());
            } else {
                node.put("type", info.type().displayName());
            }
            node.put("prog_id", info.programId());
            switch (info.target()) {
                case LinkTarget.RawTracepoint raw -> node.put("tp_name", raw.tracepoint());
                case LinkTarget.Tracing tracing -> {
                    programType(info.programId()).ifPresent(type -> node.put("prog_type", type));
                    putAttachType(node, tracing.attachType());
                    node.put("target_obj_id", tracing.targetObjectId());
                    node.put("target_btf_id", tracing.targetBtfId());
                }
                case LinkTarget.Cgroup cgroup -> {
                    node.put("cgroup_id", cgroup.cgroupId());
                    putAttachType(node, cgroup.attachType());
                }
                case LinkTarget.Iter iter -> {
                    node.put("target_name", iter.target());
                    if (isMapIterator(iter.target())) {
                        node.put("map_id", iter.mapId());
                    } else if (isTaskIterator(iter.target())) {
                        if (iter.taskTid() != 0) {
                            node.put("tid", iter.taskTid());
                        } else if (iter.taskPid() != 0) {
                            node.put("pid", iter.taskPid());
                        }
                    }
                    if (iter.target().equals("cgroup")) {
                        node.put("cgroup_id", iter.cgroupId());
                        node.put("order", cgroupOrder(iter.cgroupOrder()));
                    }
                }
                case LinkTarget.Netns netns -> {
                    node.put("netns_ino", Integer.toUnsignedLong(netns.netnsInode()));
                    putAttachType(node, netns.attachType());
                }
                case LinkTarget.Netfilter netfilter -> {
                    node.put("pf", netfilter.protocolFamily());
                    node.put("hook", netfilter.hook());
                    node.put("prio", netfilter.priority());
                    node.put("flags", netfilter.flags());
                }
                case LinkTarget.Tcx tcx -> {
                    putDevice(node, tcx.ifindex());
                    putAttachType(node, tcx.attachType());
                }
                case LinkTarget.Netkit netkit -> {
                    putDevice(node, netkit.ifindex());
                    putAttachType(node, netkit.attachType());
                }
                case LinkTarget.Xdp xdp -> putDevice(node, xdp.ifindex());
                case LinkTarget.StructOps ops -> node.put("map_id", ops.mapId());
                case LinkTarget.Sockmap sockmap -> {
                    node.put("map_id", sockmap.mapId());
                    putAttachType(node, sockmap.attachType());
                }
                case LinkTarget.KprobeMulti multi -> {
                    node.put("retprobe", multi.retprobe());
                    node.put("func_cnt", multi.count());
                    node.put("missed", multi.missed());
                    ArrayNode funcs = node.putArray("funcs");
                    for (long[] probe : sortedByAddress(multi.addresses(), multi.cookies())) {
                        ObjectNode func = funcs.addObject();
                        String[] symbol = kernelSymbol(probe[0]);
                        func.put("addr", probe[0]);
                        func.put("func", symbol[0]);
                        if (symbol[1] == null) {
                            func.putNull("module"); // bpftool: null for vmlinux
                        } else {
                            func.put("module", symbol[1]);
                        }
                        func.put("cookie", probe[1]);
                    }
                }
                case LinkTarget.UprobeMulti multi -> {
                    node.put("retprobe", multi.retprobe());
                    node.put("path", multi.path());
                    node.put("func_cnt", multi.count());
                    node.put("pid", multi.pid());
                    ArrayNode funcs = node.putArray("funcs");
                    for (int i = 0; i < multi.offsets().size(); i++) {
                        ObjectNode func = funcs.addObject();
                        func.put("offset", multi.offsets().get(i));
                        func.put("ref_ctr_offset", multi.refCounterOffsets().get(i));
                        func.put("cookie", multi.cookies().get(i));
                    }
                }
                case LinkTarget.PerfTracepoint tracepoint -> {
                    node.put("tracepoint", tracepoint.tracepoint());
                    node.put("cookie", tracepoint.cookie());
                }
                case LinkTarget.PerfKprobe kprobe -> {
                    node.put("retprobe", kprobe.retprobe());
                    node.put("addr", kprobe.address());
                    node.put("func", kprobe.function());
                    node.put("offset", Integer.toUnsignedLong(kprobe.offset()));
                    node.put("missed", kprobe.missed());
                    node.put("cookie", kprobe.cookie());
                }
                case LinkTarget.PerfUprobe uprobe -> {
                    node.put("retprobe", uprobe.retprobe());
                    node.put("file", uprobe.file());
                    node.put("offset", Integer.toUnsignedLong(uprobe.offset()));
                    node.put("cookie", uprobe.cookie());
                }
                case LinkTarget.PerfCounter counter -> {
                    Optional<String> type = perfTypeName(counter.eventType());
                    if (type.isPresent()) {
                        node.put("event_type", type.get());
                    } else {
                        node.put("event_type", counter.eventType());
                    }
                    Optional<String> config = perfConfigName(counter.eventType(), counter.config());
                    if (config.isPresent()) {
                        node.put("event_config", config.get());
                    } else {
                        node.put("event_config", counter.config());
                    }
                    node.put("cookie", counter.cookie());
                }
                case LinkTarget.Unknown unknown -> { }
            }
            return node;
        }

        private static void appendCookie(StringBuilder line, long cookie) {
            if (cookie != 0) {
                line.append("  cookie ").append(Long.toUnsignedString(cookie));
            }
        }

        private static String attachType(int attachType) {
            return LinkTarget.attachTypeName(attachType).orElse(Integer.toUnsignedString(attachType));
        }

        private static void putAttachType(ObjectNode node, int attachType) {
            Optional<String> name = LinkTarget.attachTypeName(attachType);
            if (name.isPresent()) {
                node.put("attach_type", name.get());
            } else {
                node.put("attach_type", Integer.toUnsignedLong(attachType));
            }
        }

        /** The type of the link's program as bpftool names it; empty when the program is gone. */
        private static Optional<String> programType(int programId) {
            try {
                return Optional.of(MapCommand.typeName(ProgramInfo.ofId(programId).type()));
            } catch (BpfNotFoundException e) {
                return Optional.empty();
            }
        }

        /** bpftool's "devname" (the interface's name in this network namespace) and "ifindex". */
        private static void putDevice(ObjectNode node, int ifindex) {
            node.put("devname", ifindex == 0 ? "(detached)" : interfaceName(ifindex).orElse("(unknown)"));
            node.put("ifindex", Integer.toUnsignedLong(ifindex));
        }

        /** bpftool's "lo(1)", "(detached)" for 0, "(unknown)" for an index this namespace lacks. */
        private static String deviceText(int ifindex) {
            if (ifindex == 0) {
                return "(detached)";
            }
            return interfaceName(ifindex).map(name -> name + "(" + ifindex + ")").orElse("(unknown)");
        }

        private static Optional<String> interfaceName(int ifindex) {
            try {
                NetworkInterface device = NetworkInterface.getByIndex(ifindex);
                return device == null ? Optional.empty() : Optional.of(device.getName());
            } catch (SocketException e) {
                return Optional.empty();
            }
        }

        private static boolean isMapIterator(String target) {
            return target.equals("bpf_map_elem") || target.equals("bpf_sk_storage_map");
        }

        private static boolean isTaskIterator(String target) {
            return target.equals("task") || target.equals("task_file") || target.equals("task_vma");
        }

        private static String cgroupOrder(int order) {
            return switch (order) {
                case 0 -> "order_unspec";
                case 1 -> "self_only";
                case 2 -> "descendants_pre";
                case 3 -> "descendants_post";
                case 4 -> "ancestors_up";
                default -> "unknown";
            };
        }

        /** bpftool's "ip input prio -100" (family, hook, priority, flags when set). */
        private static String netfilterText(LinkTarget.Netfilter netfilter) {
            String family = switch (netfilter.protocolFamily()) {
                case 1 -> "inet";
                case 2 -> "ip";
                case 3 -> "arp";
                case 5 -> "netdev";
                case 7 -> "bridge";
                case 10 -> "ip6";
                default -> null;
            };
            String[] hooks = netfilter.protocolFamily() == 3 ? new String[] {"input", "output"}
                    : List.of(1, 2, 7, 10).contains(netfilter.protocolFamily())
                            ? new String[] {"prerouting", "input", "forward", "output", "postrouting"} : new String[0];
            int hook = netfilter.hook();
            StringBuilder text = new StringBuilder(family != null ? family : "pf: " + netfilter.protocolFamily());
            text.append(hook >= 0 && hook < hooks.length ? " " + hooks[hook] : ", hook " + hook + ",");
            text.append(" prio ").append(netfilter.priority());
            if (netfilter.flags() != 0) {
                text.append(" flags 0x").append(Integer.toHexString(netfilter.flags()));
            }
            return text.toString();
        }

        private void kprobeMultiText(StringBuilder line, LinkTarget.KprobeMulti multi) {
            if (multi.count() == 0) {
                return;
            }
            line.append(multi.retprobe() ? "\n\tkretprobe.multi" : "\n\tkprobe.multi").append("  func_cnt ").append(multi.count());
            if (multi.missed() != 0) {
                line.append("  missed ").append(multi.missed());
            }
            line.append(String.format("%n\t%-16s %-16s %s", "addr", "cookie", "func [module]"));
            for (long[] probe : sortedByAddress(multi.addresses(), multi.cookies())) {
                String[] symbol = kernelSymbol(probe[0]);
                line.append(String.format("%n\t%016x %-16x %s", probe[0], probe[1], symbol[0]));
                if (symbol[1] != null) {
                    line.append(" [").append(symbol[1]).append(']');
                }
            }
        }

        private static void uprobeMultiText(StringBuilder line, LinkTarget.UprobeMulti multi) {
            if (multi.count() == 0) {
                return;
            }
            line.append(multi.retprobe() ? "\n\turetprobe.multi" : "\n\tuprobe.multi").append("  path ").append(multi.path())
                    .append("  func_cnt ").append(multi.count());
            if (multi.pid() != 0) {
                line.append("  pid ").append(multi.pid());
            }
            line.append(String.format("%n\t%-16s   %-16s   %s", "offset", "ref_ctr_offset", "cookies"));
            for (int i = 0; i < multi.offsets().size(); i++) {
                line.append(String.format("%n\t0x%-16x 0x%-16x 0x%x", multi.offsets().get(i), multi.refCounterOffsets().get(i),
                        multi.cookies().get(i)));
            }
        }

        /** (address, cookie) pairs by increasing address, as bpftool lists a kprobe.multi's functions. */
        private static List<long[]> sortedByAddress(List<Long> addresses, List<Long> cookies) {
            List<long[]> pairs = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i++) {
                pairs.add(new long[] {addresses.get(i), i < cookies.size() ? cookies.get(i) : 0});
            }
            pairs.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
            return pairs;
        }

        /** {name, module or null} of the kernel symbol at address, from /proc/kallsyms read once. */
        private String[] kernelSymbol(long address) {
            if (kernelSymbols == null) {
                kernelSymbols = new HashMap<>();
                try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"), StandardCharsets.ISO_8859_1)) {
                    lines.forEach(line -> {
                        String[] fields = line.split("\\s+", 4);
                        if (fields.length >= 3) {
                            try {
                                long symbolAddress = Long.parseUnsignedLong(fields[0], 16);
                                String module = fields.length == 4 ? fields[3].replaceAll("^\\[|\\]$", "") : null;
                                kernelSymbols.putIfAbsent(symbolAddress, new String[] {fields[2], module});
                            } catch (NumberFormatException e) {
                                // not a symbol line
                            }
                        }
                    });
                } catch (IOException e) {
                    // no kallsyms: addresses stay unnamed
                }
            }
            return kernelSymbols.getOrDefault(address, new String[] {"?", null});
        }

        private static final String[] PERF_TYPES = {"hardware", "software", "tracepoint", "hw-cache", "raw", "breakpoint"};
        private static final String[] CACHES = {"L1-dcache", "L1-icache", "LLC", "dTLB", "iTLB", "branch", "node"};
        private static final String[] CACHE_OPS = {"load", "store", "prefetch"};
        private static final String[] CACHE_RESULTS = {"refs", "misses"};

        private static Optional<String> perfTypeName(int type) {
            return type >= 0 && type < PERF_TYPES.length ? Optional.of(PERF_TYPES[type]) : Optional.empty();
        }

        /** perf(1)'s name of an event's config, as bpftool prints it ("cpu-clock", "L1-dcache-load-misses"). */
        private static Optional<String> perfConfigName(int type, long config) {
            return switch (type) {
                case 0 -> Arrays.stream(HardwareEvent.values()).filter(e -> e.config() == config)
                        .map(HardwareEvent::perfName).findFirst();
                case 1 -> Arrays.stream(SoftwareEvent.values()).filter(e -> e.config() == config)
                        .map(SoftwareEvent::perfName).findFirst();
                case 3 -> Optional.of(part(CACHES, config & 0xff) + "-" + part(CACHE_OPS, (config >> 8) & 0xff) + "-"
                        + part(CACHE_RESULTS, config >>> 16));
                default -> Optional.empty();
            };
        }

        private static String part(String[] names, long index) {
            return index >= 0 && index < names.length ? names[(int) index] : Long.toString(index);
        }
    }
}
