package dev.jbpf.cli;

import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.RawTracepoint;
import dev.jbpf.link.Tracepoint;

/**
 * Parses where {@code jbpf attach --at PROG=SPEC} attaches a program. SPEC reads like a libbpf
 * section name, KIND/TARGET: {@code tracepoint/syscalls/sys_enter_openat} (or {@code tp/...}),
 * {@code raw_tracepoint/sys_enter} (or {@code raw_tp/...}).
 */
final class AttachSpec {
    static final String SYNTAX = "tracepoint/CATEGORY/NAME | raw_tracepoint/NAME";

    private AttachSpec() {
    }

    static AttachPoint parse(String spec) {
        int slash = spec.indexOf('/');
        if (slash <= 0 || slash == spec.length() - 1) {
            throw new UsageException("attach point '" + spec + "' is not KIND/TARGET: expected " + SYNTAX);
        }
        String kind = spec.substring(0, slash);
        String target = spec.substring(slash + 1);
        return switch (kind) {
            case "tracepoint", "tp" -> {
                int split = target.indexOf('/');
                if (split <= 0 || split == target.length() - 1) {
                    throw new UsageException("tracepoint '" + target + "' is not CATEGORY/NAME");
                }
                yield new Tracepoint(target.substring(0, split), target.substring(split + 1));
            }
            case "raw_tracepoint", "raw_tp" -> new RawTracepoint(target);
            default -> throw new UsageException("unknown attach kind '" + kind + "': expected " + SYNTAX);
        };
    }
}
