package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.program.OpenedProgram;
import dev.jbpf.program.TestRunOptions;
import dev.jbpf.program.TestRunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf prog run OBJ PROG}: loads one program of an object and runs it once (or
 * --repeat times) in the kernel on the given input (BPF_PROG_TEST_RUN), without attaching it.
 */
@Command(name = "run", description = "Load PROG of OBJ and run it in the kernel on test input (BPF_PROG_TEST_RUN).")
final class ProgRunCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "OBJ", description = "A compiled BPF object (.bpf.o).")
    Path objectPath;
    @Parameters(index = "1", paramLabel = "PROG", description = "The program to run.")
    String programName;
    @Option(names = "--data", paramLabel = "HEX", description = "Packet data in (hex), for networking programs.")
    String data;
    @Option(names = "--context", paramLabel = "HEX", description = "Context in (hex), e.g. a raw_tp's arguments.")
    String context;
    @Option(names = "--repeat", paramLabel = "N", description = "Run N times; the duration is the mean (default: once).")
    Integer repeat;

    @Override
    public Integer call() {
        TestRunOptions run = TestRunOptions.empty();
        if (data != null) {
            run = run.withData(ByteWords.parse(List.of("hex", data), "--data"));
        }
        if (context != null) {
            run = run.withContext(ByteWords.parse(List.of("hex", context), "--context"));
        }
        if (repeat != null) {
            if (repeat < 1) {
                throw new UsageException("--repeat must be at least 1");
            }
            run = run.withRepeat(repeat);
        }
        OpenedObject opened = BpfObject.open(objectPath);
        try {
            opened.program(programName); // unknown name: BpfNotFoundException listing the programs
            for (OpenedProgram program : opened.programs()) {
                program.autoload(program.name().equals(programName));
            }
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        try (LoadedObject loaded = LoadCommand.load(opened, false)) {
            TestRunResult result = loaded.program(programName).testRun(run);
            print(result, spec.commandLine().getOut());
        }
        return Main.EXIT_OK;
    }

    private void print(TestRunResult result, PrintWriter out) {
        if (options.json()) {
            ObjectNode node = Output.object();
            node.put("retval", result.returnValue());
            node.put("duration", result.durationNs());
            node.set("data_out", Output.hexArray(result.dataOut()));
            node.set("ctx_out", Output.hexArray(result.contextOut()));
            Output.printJson(out, node, options);
            return;
        }
        out.println("Return value: " + result.returnValue() + "  duration: " + result.durationNs() + " ns");
        if (result.dataOut().length > 0) {
            out.println("Data out: " + Output.hex(result.dataOut()));
        }
        if (result.contextOut().length > 0) {
            out.println("Context out: " + Output.hex(result.contextOut()));
        }
        out.flush();
    }
}
