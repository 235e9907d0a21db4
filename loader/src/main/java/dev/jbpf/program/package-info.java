/**
 * BPF programs: {@link dev.jbpf.program.OpenedProgram} (configure before loading),
 * {@link dev.jbpf.program.BpfProgram} (loaded: attach, pin, query), {@link
 * dev.jbpf.program.ProgramType} and {@link dev.jbpf.program.ProgramInfo} (every program in the
 * kernel). Programs own no native memory: their object does.
 */
package dev.jbpf.program;
