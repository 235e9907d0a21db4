package dev.jbpf.link;

import dev.jbpf.testing.TracingSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.VmTest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kprobes, kretprobes, ksyscall and kprobe.multi on getppid(2), which this thread calls a known
 * number of times (counted per thread id). Kernels without kprobes skip, saying so.
 */
@KernelTest
@VmTest
@Requires(Feature.KPROBES)
class KprobeTest {
    private LoadedObject loaded;
    private int tid;
    private String getppid;

    @BeforeEach
    void load() {
        getppid = TracingSupport.getppidKernelSymbol();
        loaded = BpfObject.open(TestSupport.bpfObject("kprobes")).load();
        tid = TracingSupport.gettid();
    }

    @AfterEach
    void close() {
        if (loaded != null) {
            loaded.close();
        }
    }

    private long value(String map) {
        return TracingSupport.valueOf(loaded.map(map), tid);
    }

    @Test
    @Requires(Feature.ATTACH_COOKIES)
    void kprobeCountsOurSyscallsAndSeesItsCookie() {
        try (BpfLink link = loaded.program("count_kprobe").attach(Kprobe.entry(getppid).withCookie(0xBEEFL))) {
            TracingSupport.getppid(9);
            assertEquals(9, value("kprobe_counts"));
            assertEquals(0xBEEFL, value("kprobe_cookies"));
        }
        TracingSupport.getppid(2);
        assertEquals(9, value("kprobe_counts"), "closing the link detaches the kprobe");
    }

    @Test
    @Requires(Feature.KRETPROBES)
    void kretprobeSeesTheReturnValue() {
        try (BpfLink link = loaded.program("record_kretprobe").attach(Kprobe.ret(getppid))) {
            int returned = TracingSupport.getppid(4);
            assertEquals(4, value("kretprobe_counts"));
            assertEquals(returned, value("kretprobe_returns"));
        }
    }

    @Test
    void kprobeAtAnOffsetIntoTheFunction() {
        // Offset 0 spelled out is the entry; a non-zero offset must be an instruction boundary,
        // which only the kernel's disassembly knows: the kernel refuses others with EILSEQ/EINVAL.
        try (BpfLink link = loaded.program("count_kprobe").attach(Kprobe.entry(getppid).withOffset(0))) {
            TracingSupport.getppid(3);
            assertEquals(3, value("kprobe_counts"));
        }
        BpfException e = assertThrows(BpfException.class,
                () -> loaded.program("count_kprobe").attach(Kprobe.entry(getppid).withOffset(1)));
        assertTrue(e.getMessage().startsWith("attach program kprobes/count_kprobe to kprobe " + getppid + "+0x1"),
                e.getMessage());
    }

    @Test
    void attachBySectionAndKsyscall() {
        if (!getppid.equals("__x64_sys_getppid")) {
            TracingSupport.skip("the by-section kprobes name __x64_sys_getppid (x86-64)");
        }
        try (BpfLink entry = loaded.program("count_getppid_by_section").attach();
             BpfLink exit = loaded.program("getppid_return_by_section").attach();
             BpfLink ksyscall = loaded.program("count_getppid_ksyscall").attach(new Ksyscall("getppid"))) {
            int returned = TracingSupport.getppid(5);
            assertEquals(5, value("section_counts"));
            assertEquals(returned, value("section_returns"));
            assertEquals(5, value("ksyscall_counts"));
        }
    }

    @Test
    void unknownKernelFunctionIsAnError() {
        BpfException e = assertThrows(BpfException.class,
                () -> loaded.program("count_kprobe").attach(Kprobe.entry("jbpf_no_such_kernel_function")));
        assertTrue(e.getMessage().contains("kprobe jbpf_no_such_kernel_function"), e.getMessage());
    }

    @Test
    @Requires(Feature.KPROBE_MULTI)
    void kprobeMultiWithCookiesAndByPattern() throws java.io.IOException {
        try (BpfLink link = loaded.program("count_kprobe_multi").attach(
                KprobeMulti.of(List.of(getppid)).withCookies(List.of(77L)))) {
            TracingSupport.getppid(6);
            assertEquals(6, value("multi_counts"));
            assertEquals(77, value("multi_cookies"));
        }
        // patterns match the functions ftrace can trace (available_filter_functions), which need
        // not hold the symbol above: 6.12 lists getppid as __do_sys_getppid only
        String traceable = traceableGetppid();
        String pattern = traceable.substring(0, traceable.length() - 1) + "?"; // matches just that one
        try (BpfLink link = loaded.program("count_kprobe_multi").attach(KprobeMulti.matching(pattern))) {
            TracingSupport.getppid(2);
            assertEquals(8, value("multi_counts"));
        }
    }

    /** The one getppid function ftrace lists as traceable (__x64_sys_getppid where it is listed). */
    private static String traceableGetppid() throws java.io.IOException {
        java.nio.file.Path list = java.nio.file.Path.of("/sys/kernel/tracing/available_filter_functions");
        List<String> names;
        try (var lines = java.nio.file.Files.lines(list)) {
            names = lines.map(line -> line.split("\\s+")[0]).filter(name -> name.endsWith("sys_getppid")).toList();
        }
        assertTrue(!names.isEmpty(), "ftrace lists no getppid function in " + list);
        return names.contains("__x64_sys_getppid") ? "__x64_sys_getppid" : names.get(0);
    }
}
