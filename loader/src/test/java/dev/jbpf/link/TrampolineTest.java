package dev.jbpf.link;

import dev.jbpf.testing.TracingSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.BpfException;
import dev.jbpf.LoadedObject;
import dev.jbpf.testing.TestSupport;
import dev.jbpf.map.Codec;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.testing.Feature;
import dev.jbpf.testing.KernelTest;
import dev.jbpf.testing.Requires;
import dev.jbpf.testing.TestGate;
import dev.jbpf.testing.VmTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fentry, fexit (BPF trampolines) on getppid(2), fmod_ret on the kernel's bpf_modify_return_test,
 * and an LSM program on file_open.
 * Kernels without them (no trampolines, getppid not on the error-injection list, no BPF LSM)
 * skip with the probe's reason (@Requires).
 */
@KernelTest
@VmTest
class TrampolineTest {
    private int tid;

    @BeforeEach
    void privileged() {
        tid = TracingSupport.gettid();
    }

    /** The getppid entry this kernel's BTF has: the syscall wrapper, or the body SYSCALL_DEFINE0 makes. */
    private static String variant() {
        return TracingSupport.btfFunction("__x64_sys_getppid", "__do_sys_getppid").map(f -> f.startsWith("__x64")
                ? "wrapper" : "body").orElseGet(() -> {
                    TracingSupport.skip("the kernel's BTF has neither __x64_sys_getppid nor __do_sys_getppid");
                    return null;
                });
    }

    private static LoadedObject load(String program) {
        return TracingSupport.loadOnly(TestSupport.bpfObject("trampoline"), program);
    }

    @Test
    @Requires(Feature.FENTRY)
    void fentryCountsOurCalls() {
        String program = "fentry_getppid_" + variant();
        try (LoadedObject loaded = load(program)) {
            try (BpfLink link = loaded.program(program).attach(new Tracing())) {
                TracingSupport.getppid(8);
                assertEquals(8, TracingSupport.valueOf(loaded.map("fentry_counts"), tid));
            }
            TracingSupport.getppid(2);
            assertEquals(8, TracingSupport.valueOf(loaded.map("fentry_counts"), tid), "detached");
        }
    }

    @Test
    @Requires({Feature.FENTRY, Feature.ATTACH_COOKIES})
    void fentryReadsItsCookie() {
        String program = "fentry_getppid_" + variant();
        try (LoadedObject loaded = load(program)) {
            BpfLink link;
            try {
                link = loaded.program(program).attach(new Tracing(0x5151L));
            } catch (BpfException e) {
                // trampolines that take no cookie (kernels before they did): a kernel listed as having
                // fentry in JBPF_REQUIRED_FEATURES must take them (the VM kernels do), so it fails there
                if (TracingSupport.isMissingFeature(e) || e.errno() == dev.jbpf.internal.Errno.EINVAL) {
                    TestGate.lacks(Feature.FENTRY, "this kernel's trampolines take no cookies: " + e.getMessage());
                }
                throw e;
            }
            try (link) {
                TracingSupport.getppid(1);
                assertEquals(0x5151L, TracingSupport.valueOf(loaded.map("fentry_cookies"), tid));
            }
        }
    }

    @Test
    @Requires(Feature.FENTRY)
    void fexitSeesTheReturnValueAttachedBySection() {
        String program = "fexit_getppid_" + variant();
        try (LoadedObject loaded = load(program);
             BpfLink link = loaded.program(program).attach()) {
            int returned = TracingSupport.getppid(3);
            assertEquals(3, TracingSupport.valueOf(loaded.map("fexit_counts"), tid));
            assertEquals(returned, TracingSupport.valueOf(loaded.map("fexit_returns"), tid));
        }
    }

    @Test
    @Requires(Feature.FMOD_RET)
    void fmodRetReplacesTheReturnValueOfTheKernelsTestFunction() {
        // BPF_PROG_TEST_RUN of an fmod_ret program calls bpf_modify_return_test; the low 16 bits
        // of the run's return value are what it returned plus what the kernel adds (later
        // kernels also call bpf_modify_return_test2), the same in every run
        try (LoadedObject loaded = load("fmod_ret_test_function");
             BpfLink link = loaded.program("fmod_ret_test_function").attach(new Tracing())) {
            var override = loaded.map("modify_return_override").typed(Codec.INT, Codec.INT);
            BpfProgram program = loaded.program("fmod_ret_test_function");
            IntSupplier run = () -> program.testRun(TestRunOptions.empty()).returnValue() & 0xffff;
            int asEver = run.getAsInt();
            override.put(0, 4000);
            int at4000 = run.getAsInt();
            override.put(0, 4242);
            int at4242 = run.getAsInt();
            assertEquals(242, at4242 - at4000, "bpf_modify_return_test returns what the program says");
            assertNotEquals(asEver, at4000, "the program's value replaced the function's own");
            override.put(0, 0);
            assertEquals(asEver, run.getAsInt(), "0: the function runs as ever");
        }
    }

    private static void openTimes(Path file, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (InputStream in = Files.newInputStream(file)) {
                assertTrue(in.read() <= 0);
            }
        }
    }

    @Test
    @Requires(Feature.LSM)
    void lsmCountsOpensOfOurFile() throws IOException {
        Path file = Files.createTempFile("jbpf-lsm-", ".txt");
        try {
            try (LoadedObject loaded = TracingSupport.loadOnly(TestSupport.bpfObject("lsm"), "count_file_open")) {
                long inode = (long) Files.getAttribute(file, "unix:ino");
                loaded.map("watched_inodes").typed(Codec.LONG, Codec.LONG).put(inode, 0L);
                try (BpfLink link = loaded.program("count_file_open").attach(new Lsm())) {
                    openTimes(file, 6);
                    assertEquals(6, loaded.map("watched_inodes").typed(Codec.LONG, Codec.LONG).get(inode).orElseThrow());
                }
                openTimes(file, 1);
                assertEquals(6, loaded.map("watched_inodes").typed(Codec.LONG, Codec.LONG).get(inode).orElseThrow(),
                        "detached");
            }
            // a fresh load: 5.10 attaches a loaded LSM program once only (later kernels again)
            try (LoadedObject loaded = TracingSupport.loadOnly(TestSupport.bpfObject("lsm"), "count_file_open")) {
                long inode = (long) Files.getAttribute(file, "unix:ino");
                loaded.map("watched_inodes").typed(Codec.LONG, Codec.LONG).put(inode, 0L);
                try (BpfLink bySection = loaded.program("count_file_open").attach()) {
                    openTimes(file, 2);
                    assertEquals(2, loaded.map("watched_inodes").typed(Codec.LONG, Codec.LONG).get(inode).orElseThrow(),
                            "attached by its section lsm/file_open");
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
