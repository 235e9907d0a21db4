package dev.jbpf.perf;

import dev.jbpf.bindings.BpfConstants;

/**
 * The generalized hardware events ({@code PERF_TYPE_HARDWARE}, {@code PERF_COUNT_HW_*}),
 * named as perf(1) names them. They need a CPU performance monitoring unit the kernel drives:
 * most virtual machines have none, and opening one then throws {@link
 * PerfEventUnavailableException}. Owns no native memory.
 */
public enum HardwareEvent {
    CPU_CYCLES(BpfConstants.PERF_COUNT_HW_CPU_CYCLES, "cycles"),
    INSTRUCTIONS(BpfConstants.PERF_COUNT_HW_INSTRUCTIONS, "instructions"),
    CACHE_REFERENCES(BpfConstants.PERF_COUNT_HW_CACHE_REFERENCES, "cache-references"),
    CACHE_MISSES(BpfConstants.PERF_COUNT_HW_CACHE_MISSES, "cache-misses"),
    BRANCH_INSTRUCTIONS(BpfConstants.PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "branches"),
    BRANCH_MISSES(BpfConstants.PERF_COUNT_HW_BRANCH_MISSES, "branch-misses"),
    BUS_CYCLES(BpfConstants.PERF_COUNT_HW_BUS_CYCLES, "bus-cycles"),
    STALLED_CYCLES_FRONTEND(BpfConstants.PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, "stalled-cycles-frontend"),
    STALLED_CYCLES_BACKEND(BpfConstants.PERF_COUNT_HW_STALLED_CYCLES_BACKEND, "stalled-cycles-backend"),
    REF_CPU_CYCLES(BpfConstants.PERF_COUNT_HW_REF_CPU_CYCLES, "ref-cycles");

    private final int config;
    private final String perfName;

    HardwareEvent(int config, String perfName) {
        this.config = config;
        this.perfName = perfName;
    }

    /** The kernel's number, {@code perf_event_attr.config}. */
    public int config() {
        return config;
    }

    /** perf(1)'s name, e.g. "cycles". */
    public String perfName() {
        return perfName;
    }
}
