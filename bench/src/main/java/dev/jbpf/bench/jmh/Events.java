package dev.jbpf.bench.jmh;

import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfRecordCodec;
import java.nio.file.Path;

/** The codec of {@link OpenEvent}, bound to struct open_event in build/bpf/opensnoop.bpf.o's BTF. */
final class Events {
    /** A record as opensnoop sends them: a short command name and an ordinary path. */
    static final OpenEvent SAMPLE = new OpenEvent(4242, 4243, 1000, 0x80000, "bash", "/usr/lib/x86_64-linux-gnu/libc.so.6");

    private Events() {
    }

    /** Binds the codec; the BTF is read from the object file and closed again (the codec keeps no reference). */
    static BtfRecordCodec<OpenEvent> codec() {
        Path object = Path.of(System.getProperty("jbpf.bpf.dir", "build/bpf"), "opensnoop.bpf.o");
        try (Btf btf = Btf.fromElf(object)) {
            return BtfRecordCodec.of(OpenEvent.class, btf, "open_event");
        }
    }
}
