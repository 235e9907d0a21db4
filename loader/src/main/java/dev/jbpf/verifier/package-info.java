/**
 * Reading the kernel verifier's log: {@link dev.jbpf.verifier.VerifierDiagnosis#of(String)}
 * names the kind of failure ({@link dev.jbpf.verifier.VerifierFailure}), its cause and a fix,
 * with the log lines that show it. {@link dev.jbpf.VerifierException#diagnosis()} gives the
 * diagnosis of a rejected program. Pure Java over strings: nothing here holds native memory.
 */
package dev.jbpf.verifier;
