package dev.jbpf.cli;

import java.util.Map;

/** One correct command line per command, shown under a usage error (HelpTest checks each parses). */
final class UsageExamples {
    private UsageExamples() {
    }

    static final Map<String, String> BY_COMMAND = Map.ofEntries(
            Map.entry("jbpf load", "jbpf load build/bpf/maps.bpf.o --pin /sys/fs/bpf/demo"),
            Map.entry("jbpf attach", "jbpf attach build/bpf/opensnoop.bpf.o --duration 10"),
            Map.entry("jbpf map list", "jbpf map list -j"),
            Map.entry("jbpf map dump", "jbpf map dump name counts"),
            Map.entry("jbpf map lookup", "jbpf map lookup pinned /sys/fs/bpf/demo/maps/hash_map key 7 0 0 0"),
            Map.entry("jbpf map update",
                    "jbpf map update pinned /sys/fs/bpf/demo/maps/hash_map key 7 0 0 0 value hex 2a00000000000000"),
            Map.entry("jbpf map delete", "jbpf map delete pinned /sys/fs/bpf/demo/maps/hash_map key 7 0 0 0"),
            Map.entry("jbpf map pin", "jbpf map pin id 42 /sys/fs/bpf/kept"),
            Map.entry("jbpf map push", "jbpf map push pinned /sys/fs/bpf/q value 1 0 0 0"),
            Map.entry("jbpf map pop", "jbpf map pop pinned /sys/fs/bpf/q"),
            Map.entry("jbpf map peek", "jbpf map peek pinned /sys/fs/bpf/q"),
            Map.entry("jbpf map freeze", "jbpf map freeze pinned /sys/fs/bpf/q"),
            Map.entry("jbpf map create", "jbpf map create /sys/fs/bpf/q --type queue --value 4 --entries 64"),
            Map.entry("jbpf prog list", "jbpf prog show name count_getppid"),
            Map.entry("jbpf prog pin", "jbpf prog pin name count_getppid /sys/fs/bpf/kept-prog"),
            Map.entry("jbpf link list", "jbpf link show pinned /sys/fs/bpf/snoop/links/trace_openat -j"),
            Map.entry("jbpf link pin", "jbpf link pin id 7 /sys/fs/bpf/kept-link"),
            Map.entry("jbpf link detach", "jbpf link detach pinned /sys/fs/bpf/demo/links/xdp_count"),
            Map.entry("jbpf prog run", "jbpf prog run build/bpf/testrun.bpf.o xdp_mark --data 0102030405060708"),
            Map.entry("jbpf prog dump xlated", "jbpf prog dump xlated name count_getppid"),
            Map.entry("jbpf prog dump jited", "jbpf prog dump jited name count_getppid"),
            Map.entry("jbpf obj dump", "jbpf obj dump build/bpf/maps.bpf.o count_getppid"),
            Map.entry("jbpf feature probe", "jbpf feature probe kernel -j"),
            Map.entry("jbpf gen skeleton",
                    "jbpf gen skeleton build/bpf/opensnoop.bpf.o --package com.example --out src/main/java --type open_event"),
            Map.entry("jbpf gen vmlinux", "jbpf gen vmlinux --out vmlinux.h"),
            Map.entry("jbpf tcptrack", "jbpf tcptrack --duration 10"),
            Map.entry("jbpf profile", "jbpf profile --pid 1234 --jvm-perfmap --duration 10 --svg flame.svg"),
            Map.entry("jbpf usdt list", "jbpf usdt list --pid 1234 hotspot"),
            Map.entry("jbpf jvm gc", "jbpf jvm gc --pid 1234"),
            Map.entry("jbpf jvm threads", "jbpf jvm threads --pid 1234 --duration 60"),
            Map.entry("jbpf jvm classes", "jbpf jvm classes --pid 1234 -v"),
            Map.entry("jbpf jvm compile", "jbpf jvm compile --pid 1234 -j"),
            Map.entry("jbpf jvm alloc", "jbpf jvm alloc --pid 1234 --duration 10 --top 10"),
            Map.entry("jbpf jvm monitors", "jbpf jvm monitors --pid 1234 --duration 10"),
            Map.entry("jbpf export", "jbpf export --config.dir examples --config.names biolatency,syscalls"),
            Map.entry("jbpf completion", "jbpf completion bash"));

    /** "Example: ..." for the command, or null. */
    static String line(picocli.CommandLine command) {
        String example = BY_COMMAND.get(command.getCommandSpec().qualifiedName());
        return example == null ? null : "Example: " + example;
    }
}
