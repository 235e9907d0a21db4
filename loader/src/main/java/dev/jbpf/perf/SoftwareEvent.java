package dev.jbpf.perf;

import dev.jbpf.bindings.BpfConstants;

/**
 * The kernel's software perf events ({@code PERF_TYPE_SOFTWARE}, {@code PERF_COUNT_SW_*}),
 * named as perf(1) names them. They exist on every Linux kernel with perf events, also in
 * virtual machines without a hardware PMU. Owns no native memory.
 */
public enum SoftwareEvent {
    /** Nanoseconds of CPU time, from a per-CPU high-resolution timer: the sampling clock of {@code perf record}. */
    CPU_CLOCK(BpfConstants.PERF_COUNT_SW_CPU_CLOCK, "cpu-clock"),
    /** Nanoseconds the task (or the tasks on the CPU) ran. */
    TASK_CLOCK(BpfConstants.PERF_COUNT_SW_TASK_CLOCK, "task-clock"),
    PAGE_FAULTS(BpfConstants.PERF_COUNT_SW_PAGE_FAULTS, "page-faults"),
    CONTEXT_SWITCHES(BpfConstants.PERF_COUNT_SW_CONTEXT_SWITCHES, "context-switches"),
    CPU_MIGRATIONS(BpfConstants.PERF_COUNT_SW_CPU_MIGRATIONS, "cpu-migrations"),
    MINOR_FAULTS(BpfConstants.PERF_COUNT_SW_PAGE_FAULTS_MIN, "minor-faults"),
    MAJOR_FAULTS(BpfConstants.PERF_COUNT_SW_PAGE_FAULTS_MAJ, "major-faults"),
    ALIGNMENT_FAULTS(BpfConstants.PERF_COUNT_SW_ALIGNMENT_FAULTS, "alignment-faults"),
    EMULATION_FAULTS(BpfConstants.PERF_COUNT_SW_EMULATION_FAULTS, "emulation-faults"),
    /** Counts nothing; a placeholder event (e.g. to receive side-band records). */
    DUMMY(BpfConstants.PERF_COUNT_SW_DUMMY, "dummy"),
    /** The event behind {@code bpf_perf_event_output} (what a {@code PerfBuffer} opens per CPU). */
    BPF_OUTPUT(BpfConstants.PERF_COUNT_SW_BPF_OUTPUT, "bpf-output"),
    CGROUP_SWITCHES(BpfConstants.PERF_COUNT_SW_CGROUP_SWITCHES, "cgroup-switches");

    private final int config;
    private final String perfName;

    SoftwareEvent(int config, String perfName) {
        this.config = config;
        this.perfName = perfName;
    }

    /** The kernel's number, {@code perf_event_attr.config}. */
    public int config() {
        return config;
    }

    /** perf(1)'s name, e.g. "cpu-clock". */
    public String perfName() {
        return perfName;
    }
}
