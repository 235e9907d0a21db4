package dev.jbpf.tools.jvm;

import dev.jbpf.btf.BtfMember;
import dev.jbpf.btf.BtfRecordCodec;
import java.time.Duration;
import java.util.Map;

/**
 * The JIT compilations of another JVM ({@code jbpf jvm compile}): one {@link CompileEvent} per
 * compiled method, as it ends, with the compiler and the time it took. The packaged program
 * bpf-src/jvm_compile.bpf.c attaches to HotSpot's probes {@code method__compile__begin} and
 * {@code method__compile__end} in the target's libjvm.so, for the target's process only. A
 * compilation under way when it attached is not reported.
 *
 * <p>Ownership and threads as for every {@link JvmEvents}: this instance owns the loaded object,
 * its links and the ring buffer until {@link #close()}.
 */
public final class JvmCompileEvents extends JvmEvents<CompileEvent> {
    private static final Map<String, String> PROBES = Map.of(
            "jvm_compile_begin", "method__compile__begin",
            "jvm_compile_end", "method__compile__end");

    /** {@code struct jvm_compile_event} (bpf-src/jvm_compile.bpf.c), bound by member name through BTF. */
    private record RawCompile(@BtfMember("start_ns") long startNs, @BtfMember("end_ns") long endNs, int tid, byte success,
            @BtfMember("compiler_len") int compilerLen, @BtfMember("class_len") int classLen,
            @BtfMember("method_len") int methodLen, @BtfMember("signature_len") int signatureLen, byte[] compiler,
            @BtfMember("class_name") byte[] className, byte[] method, byte[] signature) {
    }

    private JvmCompileEvents(JvmProbeSession session, BtfRecordCodec<RawCompile> codec) {
        super(session, record -> event(session.clock(), codec.decode(record)));
    }

    /** Attaches to the JVM of process {@code pid} (see {@link JvmProcess#of} for the errors). */
    public static JvmCompileEvents attach(int pid) {
        return attach(JvmProcess.of(pid));
    }

    /** As {@link JvmGcEvents#attach(JvmProcess)}, for JIT compilations. */
    public static JvmCompileEvents attach(JvmProcess target) {
        return start(target, "jvm_compile", PROBES,
                session -> new JvmCompileEvents(session, BtfRecordCodec.of(RawCompile.class, session.btf(), "jvm_compile_event")));
    }

    private static CompileEvent event(Names.Clock clock, RawCompile raw) {
        return new CompileEvent(clock.instant(raw.startNs()), Duration.ofNanos(raw.endNs() - raw.startNs()),
                Names.text(raw.compiler(), raw.compilerLen()), Names.className(raw.className(), raw.classLen()),
                Names.text(raw.method(), raw.methodLen()), Names.text(raw.signature(), raw.signatureLen()), raw.success() != 0,
                raw.tid());
    }
}
