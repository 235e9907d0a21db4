package dev.jbpf.perf;

/**
 * Told how many samples the kernel dropped because a CPU's ring of a {@link PerfBuffer} was
 * full. The kernel reports a loss when it next writes to that ring, so it arrives before the
 * next sample of that CPU. Called on the polling thread; exceptions as for {@link SampleHandler}.
 */
@FunctionalInterface
public interface LostHandler {
    void onLost(int cpu, long count) throws Exception;
}
