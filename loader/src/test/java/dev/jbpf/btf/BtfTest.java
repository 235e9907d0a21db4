package dev.jbpf.btf;

import dev.jbpf.testing.VmTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.UnitTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BTF read from a compiled object and from the kernel; no privileges needed. */
@UnitTest
@VmTest
class BtfTest {
    @Test
    void readsTheRecordStructOfOpensnoop() {
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("opensnoop"))) {
            BtfType.Struct event = btf.findStruct("open_event").orElseThrow();
            assertEquals(16 + 16 + 256, event.size());
            List<String> names = event.members().stream().map(BtfType.Member::name).toList();
            assertEquals(List.of("pid", "tid", "uid", "flags", "comm", "filename"), names);
            assertEquals(128, event.members().get(4).bitOffset());
            assertEquals(256, event.members().get(5).bitOffset());
            assertEquals(288, btf.sizeOf(event.id()));
        }
    }

    @Test
    void formatsARecordByFieldName() {
        ByteBuffer record = ByteBuffer.allocate(288).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(4242).putInt(4243).putInt(0).putInt(-100);
        record.put(16, "cat".getBytes(StandardCharsets.US_ASCII));
        record.put(32, "/etc/hostname".getBytes(StandardCharsets.US_ASCII));
        try (Btf btf = Btf.fromElf(TestSupport.bpfObject("opensnoop"))) {
            BtfType.Struct event = btf.findStruct("open_event").orElseThrow();
            Object value = new BtfFormatter(btf).format(event.id(), record.array());
            assertEquals(Map.of("pid", 4242L, "tid", 4243L, "uid", 0L, "flags", -100L, "comm", "cat",
                    "filename", "/etc/hostname"), value);
            assertThrows(IllegalArgumentException.class, () -> new BtfFormatter(btf).format(event.id(), new byte[10]));
        }
    }

    @Test
    void readsTheKernelsBtf() {
        try (Btf kernel = Btf.vmlinux()) {
            assertTrue(kernel.typeCount() > 1000, "vmlinux BTF has only " + kernel.typeCount() + " types");
            BtfType.Struct task = kernel.findStruct("task_struct").orElseThrow();
            assertTrue(task.members().stream().anyMatch(m -> m.name().equals("pid")), "task_struct without pid");
        }
    }

    @Test
    void closedBtfRefusesUse() {
        Btf btf = Btf.fromElf(TestSupport.bpfObject("opensnoop"));
        btf.close();
        assertThrows(IllegalStateException.class, () -> btf.findStruct("open_event"));
        btf.close(); // idempotent
    }
}
