package dev.jbpf.features;

/**
 * Whether the running kernel has a {@link Facility}, with how the probe decided (a sentence
 * for a skipped test's reason or a log line). A plain value.
 *
 * @param facility what was probed
 * @param available true when the kernel has it
 * @param detail what the probe saw: the file found, or the errno the kernel answered
 */
public record FacilitySupport(Facility facility, boolean available, String detail) {
}
