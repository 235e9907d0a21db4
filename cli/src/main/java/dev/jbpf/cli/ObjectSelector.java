package dev.jbpf.cli;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.CloseNames;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.MapInfo;
import dev.jbpf.program.ProgramInfo;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * bpftool's object selector, one for every kind of object: {@code id N | pinned PATH | name
 * NAME | tag TAG}. Programs take all four forms; maps have no tag and links neither name nor
 * tag, as in bpftool. {@link #parse} checks the words without touching the kernel (a bad
 * selector is a usage error); the finders then read the kernel. Owns nothing; what the openers
 * return is the caller's to close.
 */
record ObjectSelector(Kind kind, Form form, String value) {
    static final String PROGRAM_SYNTAX = "id N | pinned PATH | name NAME | tag TAG";
    static final String MAP_SYNTAX = "id N | pinned PATH | name NAME";
    static final String LINK_SYNTAX = "id N | pinned PATH";

    /** A selector's first word. */
    enum Form {
        ID, PINNED, NAME, TAG;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a selector selects, and the forms it takes. */
    enum Kind {
        PROGRAM("program", PROGRAM_SYNTAX, EnumSet.allOf(Form.class), ""),
        MAP("map", MAP_SYNTAX, EnumSet.of(Form.ID, Form.PINNED, Form.NAME), "maps have no tag"),
        LINK("link", LINK_SYNTAX, EnumSet.of(Form.ID, Form.PINNED), "links have no name or tag");

        final String noun;
        final String syntax;
        final Set<Form> forms;
        final String whyNot;

        Kind(String noun, String syntax, Set<Form> forms, String whyNot) {
            this.noun = noun;
            this.syntax = syntax;
            this.forms = forms;
            this.whyNot = whyNot;
        }
    }

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

    static ObjectSelector program(List<String> words) {
        return parse(Kind.PROGRAM, words);
    }

    static ObjectSelector map(List<String> words) {
        return parse(Kind.MAP, words);
    }

    static ObjectSelector link(List<String> words) {
        return parse(Kind.LINK, words);
    }

    /** Checks two words as a selector of kind; a UsageException says what is wrong. */
    static ObjectSelector parse(Kind kind, List<String> words) {
        if (words == null || words.size() != 2) {
            throw new UsageException("expected a " + kind.noun + " selector: " + kind.syntax);
        }
        String word = words.get(0);
        String value = words.get(1);
        Form form = null;
        for (Form candidate : Form.values()) {
            if (candidate.word().equals(word)) {
                form = candidate;
            }
        }
        if (form == null) {
            throw new UsageException("unknown " + kind.noun + " selector '" + word + "': expected " + kind.syntax);
        }
        if (!kind.forms.contains(form)) {
            throw new UsageException(kind.noun + "s are selected by " + kind.syntax + ", not by " + form.word()
                    + " (" + kind.whyNot + ")");
        }
        switch (form) {
            case ID -> positiveId(value, kind.noun);
            case TAG -> {
                if (!value.matches("[0-9a-fA-F]{16}")) {
                    throw new UsageException("a program tag is 16 hex digits, as prog list prints it, not '" + value + "'");
                }
            }
            case PINNED, NAME -> {
                if (value.isBlank()) {
                    throw new UsageException("empty " + form.word() + " in the " + kind.noun + " selector");
                }
            }
        }
        return new ObjectSelector(kind, form, value);
    }

    /** The programs this selector names: one by id or pin; every match of a name or tag (as bpftool). */
    List<ProgramInfo> programs() {
        requireKind(Kind.PROGRAM);
        return switch (form) {
            case ID -> List.of(ProgramInfo.ofId(Integer.parseInt(value)));
            case PINNED -> List.of(ProgramInfo.ofPinned(Path.of(value)));
            case NAME -> {
                List<ProgramInfo> all = ProgramInfo.listAll();
                List<ProgramInfo> matches = all.stream().filter(p -> p.isNamed(value)).toList();
                if (matches.isEmpty()) {
                    throw notFound("program", "no program of that name is loaded",
                            all.stream().map(ProgramInfo::name).toList());
                }
                yield matches;
            }
            case TAG -> {
                List<ProgramInfo> matches = ProgramInfo.listAll().stream()
                        .filter(p -> p.tag().equalsIgnoreCase(value)).toList();
                if (matches.isEmpty()) {
                    throw new BpfNotFoundException("find program", "with tag " + value.toLowerCase(Locale.ROOT),
                            "no loaded program has this tag (prog list shows the tags)");
                }
                yield matches;
            }
        };
    }

    /** The one program this selector names; a name or tag that several programs share is a usage error. */
    ProgramInfo program() {
        return single(programs(), ProgramInfo::id);
    }

    /** The maps this selector names, as {@code map show} lists them: every match of a name. */
    List<MapInfo> maps() {
        requireKind(Kind.MAP);
        if (form != Form.NAME) {
            try (BpfMap map = openMap()) {
                return List.of(map.info());
            }
        }
        List<MapInfo> all = MapInfo.listAll();
        String cut = value.length() >= 16 ? value.substring(0, 15) : value; // the kernel keeps 15 characters
        List<MapInfo> matches = all.stream().filter(m -> m.name().equals(value) || m.name().equals(cut)).toList();
        if (matches.isEmpty()) {
            throw notFound("map", "no map of that name is loaded", all.stream().map(MapInfo::name).toList());
        }
        return matches;
    }

    /** Opens the one map this selector names; the caller closes it. A name several maps share is a usage error. */
    BpfMap openMap() {
        requireKind(Kind.MAP);
        return switch (form) {
            case ID -> BpfMap.openById(Integer.parseInt(value));
            case PINNED -> BpfMap.openPinned(Path.of(value));
            default -> BpfMap.openById(single(maps(), MapInfo::id).id());
        };
    }

    /** Opens the link this selector names; the caller closes it. */
    BpfLink openLink() {
        requireKind(Kind.LINK);
        return form == Form.ID ? BpfLink.openById(Integer.parseInt(value)) : BpfLink.openPinned(Path.of(value));
    }

    private <T> T single(List<T> matches, java.util.function.ToIntFunction<T> id) {
        if (matches.size() > 1) {
            throw new UsageException("several " + kind.noun + "s " + (form == Form.NAME ? "are named" : "have " + form.word())
                    + " '" + value + "' (ids "
                    + String.join(", ", matches.stream().map(m -> String.valueOf(id.applyAsInt(m))).toList())
                    + "): select one with 'id N'");
        }
        return matches.get(0);
    }

    /** "no X of that name is loaded", with the three closest names loaded now. */
    private BpfNotFoundException notFound(String noun, String why, List<String> loadedNames) {
        return new BpfNotFoundException("find " + noun, "named '" + value + "'",
                why + CloseNames.suffix(value, new TreeSet<>(loadedNames), 3));
    }

    private void requireKind(Kind expected) {
        if (kind != expected) {
            throw new IllegalStateException("a " + kind.noun + " selector used for a " + expected.noun);
        }
    }
}
