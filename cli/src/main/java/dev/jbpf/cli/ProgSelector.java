package dev.jbpf.cli;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.program.ProgramInfo;
import java.nio.file.Path;
import java.util.List;

/** bpftool's object selector for programs: {@code id N | pinned PATH | name NAME}. Owns nothing. */
record ProgSelector(String kind, String value) {
    static final String SYNTAX = "id N | pinned PATH | name NAME";

    static ProgSelector parse(List<String> words) {
        if (words == null || words.size() != 2) {
            throw new UsageException("expected a program selector: " + SYNTAX);
        }
        String kind = words.get(0);
        String value = words.get(1);
        switch (kind) {
            case "id" -> {
                MapSelector.positiveId(value, "program");
            }
            case "pinned", "name" -> {
                if (value.isBlank()) {
                    throw new UsageException("empty " + kind + " in the program selector");
                }
            }
            default -> throw new UsageException("unknown program selector '" + kind + "': expected " + SYNTAX);
        }
        return new ProgSelector(kind, value);
    }

    /** Every program the selector names (a name may match several, as in bpftool). */
    List<ProgramInfo> find() {
        return switch (kind) {
            case "id" -> List.of(ProgramInfo.ofId(Integer.parseInt(value)));
            case "pinned" -> List.of(ProgramInfo.ofPinned(Path.of(value)));
            default -> {
                List<ProgramInfo> matches = ProgramInfo.listAll().stream().filter(p -> p.name().equals(value)).toList();
                if (matches.isEmpty()) {
                    throw new BpfNotFoundException("find program", "named '" + value + "'", "no program of that name is loaded");
                }
                yield matches;
            }
        };
    }
}
