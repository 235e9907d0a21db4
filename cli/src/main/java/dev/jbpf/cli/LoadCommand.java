package dev.jbpf.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbpf.BpfObject;
import dev.jbpf.LoadedObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.map.BpfMap;
import dev.jbpf.program.BpfProgram;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbpf load OBJ [--pin DIR]}: loads an object into the kernel and prints its programs and
 * maps with their kernel ids. With --pin they are pinned in bpffs and outlive the process.
 */
@Command(name = "load", description = "Load a BPF object; with --pin, pin its programs and maps so they stay loaded.")
final class LoadCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;
    @Mixin
    PinOptions pinOptions;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "OBJ", description = "A compiled BPF object (.bpf.o).")
    Path objectPath;
    @Option(names = "--pin", paramLabel = "DIR", description = "Pin programs at DIR/progs/NAME and maps at DIR/maps/NAME (bpffs).")
    Path pinDir;
    @Option(names = "--set", paramLabel = "NAME=VALUE",
            description = "Set a global variable before load: a number, true/false, text for char arrays, or hex:BYTES.")
    Map<String, String> globalSettings = new LinkedHashMap<>();
    @Option(names = "--verifier-log", description = "Print the verifier's log of each program (log level 1; text output only).")
    boolean verifierLog;
    @Option(names = "--all", description = "List libbpf's own maps too (" + LIBBPF_MAPS + "); they are pinned either way.")
    boolean all;

    /** The maps {@link #isLibbpfMap} hides, for the --all descriptions. */
    static final String LIBBPF_MAPS = ".rodata, .data, .bss, .kconfig, __bpf_usdt_specs, ...";

    @Override
    public Integer call() {
        if (pinDir == null && pinOptions.given()) {
            throw new UsageException("--force and --pin-mode apply to --pin");
        }
        PinDirectory pins = pinDir == null ? null : PinDirectory.prepare(pinDir, pinOptions);
        OpenedObject opened = BpfObject.open(objectPath);
        try {
            GlobalSettings.apply(opened.globals(), globalSettings);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        try (LoadedObject loaded = load(opened, verifierLog)) {
            if (pins != null) {
                try {
                    pinAll(loaded, pins);
                    pins.commit();
                } catch (RuntimeException e) {
                    pins.rollBack();
                    throw e;
                }
            }
            report(loaded, pins, spec.commandLine().getOut(), options, all);
            if (verifierLog && !options.json()) {
                printVerifierLogs(loaded, spec.commandLine().getOut());
            }
        }
        return Main.EXIT_OK;
    }

    /** Loads an opened object, closing it when the load fails. */
    static LoadedObject load(OpenedObject opened, boolean verifierLog) {
        try {
            if (verifierLog) {
                opened.verifierLogLevel(1);
            }
            return opened.load();
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Each loaded program's verifier log (asked for with --verifier-log, so the kernel wrote one). */
    static void printVerifierLogs(LoadedObject loaded, PrintWriter out) {
        for (BpfProgram program : loaded.programs()) {
            if (program.isLoaded()) {
                out.println("Verifier log of " + program.name() + ":");
                out.println(program.verifierLog().stripTrailing());
            }
        }
        out.flush();
    }

    static void pinAll(LoadedObject loaded, PinDirectory pins) {
        for (BpfProgram program : loaded.programs()) {
            if (program.isLoaded()) { // programs left out with autoload off have nothing to pin
                pins.pin("progs", program.name(), program::pin);
            }
        }
        for (BpfMap map : loaded.maps()) {
            pins.pin("maps", map.name(), map::pin);
        }
    }

    /**
     * True for the maps libbpf makes rather than the object's author: those of global variables
     * (.rodata, .data, .bss, custom .data.* sections, .kconfig: libbpf calls them internal) and
     * those its own BPF headers declare (usdt.bpf.h's __bpf_usdt_specs and
     * __bpf_usdt_ip_to_spec_id; libbpf names its maps __bpf_*). Listings leave them out unless
     * --all.
     */
    static boolean isLibbpfMap(BpfMap map) {
        return map.isInternal() || map.name().startsWith("__bpf_");
    }

    /** The object's maps a listing shows: all with --all, else those the object's author declared. */
    static List<BpfMap> listed(LoadedObject loaded, boolean all) {
        return loaded.maps().stream().filter(map -> all || !isLibbpfMap(map)).toList();
    }

    /** Prints the object's programs and maps with kernel ids, as text or JSON. */
    static void report(LoadedObject loaded, PinDirectory pins, PrintWriter out, CommonOptions options, boolean all) {
        if (options.json()) {
            Output.printJson(out, json(loaded, pins, all), options);
        } else {
            printText(loaded, pins, out, all);
            out.flush();
        }
    }

    /**
     * {"object", "programs": [{name, section, type, id[, pinned]}], "maps": [{name, type, id[, pinned]}]}:
     * "pinned" is the path of the pin on disk.
     */
    static ObjectNode json(LoadedObject loaded, PinDirectory pins, boolean all) {
        ObjectNode root = Output.object();
        root.put("object", loaded.name());
        ArrayNode programs = root.putArray("programs");
        for (BpfProgram program : loaded.programs()) {
            if (!program.isLoaded()) {
                continue;
            }
            ObjectNode node = programs.addObject();
            node.put("name", program.name());
            node.put("section", program.section());
            node.put("type", MapCommand.typeName(program.type()));
            node.put("id", program.id());
            putPinned(node, pins, "progs", program.name());
        }
        ArrayNode maps = root.putArray("maps");
        for (BpfMap map : listed(loaded, all)) {
            ObjectNode node = maps.addObject();
            node.put("name", map.name());
            node.put("type", MapCommand.typeName(map.type()));
            node.put("id", map.id());
            putPinned(node, pins, "maps", map.name());
        }
        return root;
    }

    private static void putPinned(ObjectNode node, PinDirectory pins, String kind, String name) {
        Path pinned = pins == null ? null : pins.pinned(kind, name);
        if (pinned != null) {
            node.put("pinned", pinned.toString());
        }
    }

    /** The text report: a title, a line per program and map (with its pin, relative to DIR, when pinned). */
    static void printText(LoadedObject loaded, PinDirectory pins, PrintWriter out, boolean all) {
        out.println("Loaded " + loaded.name() + (pins != null ? ", pinned under " + pins.root() : ""));
        for (BpfProgram program : loaded.programs()) {
            if (!program.isLoaded()) {
                continue;
            }
            out.printf("  prog %-24s id %-6d %-14s %s%s%n", program.name(), program.id(),
                    MapCommand.typeName(program.type()), program.section(), pinSuffix(pins, "progs", program.name()));
        }
        for (BpfMap map : listed(loaded, all)) {
            out.printf("  map  %-24s id %-6d %s%s%n", map.name(), map.id(), MapCommand.typeName(map.type()),
                    pinSuffix(pins, "maps", map.name()));
        }
    }

    /** "  pinned at maps/x_bss" (the pin relative to DIR), or "" when not pinned. */
    static String pinSuffix(PinDirectory pins, String kind, String name) {
        Path pinned = pins == null ? null : pins.pinned(kind, name);
        return pinned == null ? "" : "  pinned at " + pins.root().relativize(pinned);
    }
}
