package dev.jbpf.cli;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * bpftool's object selector for maps: {@code id N | pinned PATH | name NAME}. Opening gives a
 * {@link BpfMap} that owns its fd: the caller closes it.
 */
record MapSelector(String kind, String value) {
    static final String SYNTAX = "id N | pinned PATH | name NAME";

    /** A kernel object id (1 to 2^31-1: the kernel's ids are ints); a UsageException otherwise. */
    static int positiveId(String value, String kind) {
        try {
            int id = Integer.parseInt(value);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // below: the same message for every bad id
        }
        throw new UsageException(kind + " id must be a positive integer up to " + Integer.MAX_VALUE + ", not '" + value + "'");
    }

    static MapSelector parse(List<String> words) {
        if (words == null || words.size() != 2) {
            throw new UsageException("expected a map selector: " + SYNTAX);
        }
        String kind = words.get(0);
        String value = words.get(1);
        switch (kind) {
            case "id" -> positiveId(value, "map");
            case "pinned", "name" -> {
                if (value.isBlank()) {
                    throw new UsageException("empty " + kind + " in the map selector");
                }
            }
            default -> throw new UsageException("unknown map selector '" + kind + "': expected " + SYNTAX);
        }
        return new MapSelector(kind, value);
    }

    BpfMap open() {
        return switch (kind) {
            case "id" -> BpfMap.openById(Integer.parseInt(value));
            case "pinned" -> BpfMap.openPinned(Path.of(value));
            default -> {
                List<MapInfo> matches = MapInfo.listAll().stream().filter(info -> info.name().equals(value)).toList();
                if (matches.isEmpty()) {
                    throw new BpfNotFoundException("find map", "named '" + value + "'", "no map of that name is loaded");
                }
                if (matches.size() > 1) {
                    throw new UsageException("several maps are named '" + value + "' (ids "
                            + String.join(", ", matches.stream().map(info -> String.valueOf(info.id())).toList())
                            + "): select one with 'id N'");
                }
                yield BpfMap.openById(matches.get(0).id());
            }
        };
    }
}
