package dev.jbpf.asm;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.btf.Btf;
import dev.jbpf.btf.BtfType;
import dev.jbpf.elf.RelocatableElf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One function of a {@code .bpf.o} disassembled before loading, in the notation of
 * {@link Disassembler}, with what its relocations name: {@code map[counts]} for a map,
 * {@code map[.bss][0]+8 <hits>} for a global variable, {@code extern[LINUX_KERNEL_VERSION]} for
 * an extern, {@code call bpf_rcu_read_lock#-1} for a kfunc (clang's pseudo call to an extern, shown as the
 * kfunc call libbpf makes of it), {@code call pc+12#helper_fn} for a BPF-to-BPF call, and the
 * CO-RE relocations of {@code .BTF.ext}; helpers are named by id from the running kernel's BTF. A plain value.
 *
 * @param section the ELF section (the program's section name, or .text for subprograms)
 * @param function the function's symbol name
 * @param firstSlot where the function starts in its section, in instruction slots (a section
 *     can hold several programs); the listing counts slots from the function's start, as
 *     bpftool does for a loaded program
 * @param prototype its BTF signature as bpftool prints it, or null without BTF
 * @param instructions its instructions, slots counted from its first
 * @param texts each instruction's text, in the same order
 * @param sources the source line (from the object's {@code .BTF.ext} line info) first compiled
 *     at each instruction, "" where none starts, in the same order
 * @param coreRelocations the CO-RE relocations of each instruction ({@code .BTF.ext}), in the
 *     notation of llvm-objdump: {@code CO-RE <byte_off> [16] struct xdp_md::data_end (0:1)}
 */
public record ObjectListing(String section, String function, int firstSlot, String prototype,
        List<Instruction> instructions, List<String> texts, List<String> sources, List<List<String>> coreRelocations) {

    public ObjectListing {
        instructions = List.copyOf(instructions);
        texts = List.copyOf(texts);
        sources = List.copyOf(sources);
        coreRelocations = coreRelocations.stream().map(List::copyOf).toList();
    }

    /**
     * The functions of every code section of {@code object}, or of those whose name or section
     * name is {@code program} (null for all). No match is a {@link BpfNotFoundException} that
     * lists the functions there are.
     */
    public static List<ObjectListing> of(Path object, String program) {
        RelocatableElf elf = RelocatableElf.read(object);
        HelperNames helpers = kernelHelpers();
        Btf btf = null;
        try {
            btf = Btf.fromElf(object);
        } catch (BpfException e) {
            btf = null; // no .BTF: no prototypes
        }
        try {
            List<ObjectListing> listings = new ArrayList<>();
            List<String> available = new ArrayList<>();
            Map<String, Map<Long, String>> lines = sourceLines(elf, btf);
            Map<String, Map<Long, List<String>>> core = coreRelocations(elf, btf);
            for (RelocatableElf.Section section : elf.sections()) {
                if (!section.isCode() || section.size() == 0) {
                    continue;
                }
                List<RelocatableElf.Symbol> functions = functionsOf(elf, section);
                Map<Long, RelocatableElf.Relocation> relocations = new HashMap<>();
                elf.relocations(section).forEach(r -> relocations.put(r.offset(), r));
                byte[] bytes = elf.bytes(section);
                for (int f = 0; f < functions.size(); f++) {
                    RelocatableElf.Symbol function = functions.get(f);
                    available.add(function.name() + " (" + section.name() + ")");
                    if (program != null && !program.equals(function.name()) && !program.equals(section.name())) {
                        continue;
                    }
                    long start = function.value();
                    long end = function.size() > 0 ? start + function.size()
                            : f + 1 < functions.size() ? functions.get(f + 1).value() : bytes.length;
                    List<Instruction> instructions = Instruction.decode(
                            Arrays.copyOfRange(bytes, (int) start, (int) Math.min(end, bytes.length)), elf.order());
                    Names names = new Names(elf, section, functions, relocations, start, helpers);
                    instructions = instructions.stream().map(names::asLoaded).toList();
                    List<String> texts = instructions.stream().map(i -> Disassembler.format(i, names)).toList();
                    Map<Long, String> sectionLines = lines.getOrDefault(section.name(), Map.of());
                    List<String> sources = instructions.stream()
                            .map(i -> sectionLines.getOrDefault(start + (long) i.index() * 8, "")).toList();
                    Map<Long, List<String>> sectionCore = core.getOrDefault(section.name(), Map.of());
                    List<List<String>> coreNotes = instructions.stream()
                            .map(i -> sectionCore.getOrDefault(start + (long) i.index() * 8, List.of())).toList();
                    listings.add(new ObjectListing(section.name(), function.name(), (int) (start / 8),
                            prototype(btf, function.name()), instructions, texts, sources, coreNotes));
                }
            }
            if (listings.isEmpty()) {
                throw new BpfNotFoundException("find program", object + (program == null ? "" : " " + program),
                        available.isEmpty() ? "the object has no code" : "there are: " + String.join(", ", available));
            }
            return listings;
        } finally {
            if (btf != null) {
                btf.close();
            }
        }
    }

    /**
     * The line info of {@code .BTF.ext}: per section name, the source line starting at each byte
     * offset (the first record there). Empty without BTF or line info.
     */
    private static Map<String, Map<Long, String>> sourceLines(RelocatableElf elf, Btf btf) {
        Map<String, Map<Long, String>> result = new HashMap<>();
        Optional<RelocatableElf.Section> ext = elf.section(".BTF.ext");
        if (btf == null || ext.isEmpty()) {
            return result;
        }
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(elf.bytes(ext.get())).order(elf.order());
        try {
            int headerLength = data.getInt(4);
            int lineInfoOffset = headerLength + data.getInt(16);
            int lineInfoLength = data.getInt(20);
            if (lineInfoLength < 4) {
                return result;
            }
            int recordSize = data.getInt(lineInfoOffset);
            int at = lineInfoOffset + 4;
            int end = lineInfoOffset + lineInfoLength;
            while (at + 8 <= end) {
                String sectionName = btf.stringAt(data.getInt(at));
                int count = data.getInt(at + 4);
                at += 8;
                Map<Long, String> byOffset = result.computeIfAbsent(sectionName, k -> new HashMap<>());
                for (int i = 0; i < count && at + 16 <= end; i++, at += recordSize) {
                    long instructionOffset = Integer.toUnsignedLong(data.getInt(at)); // bytes, in the object
                    byOffset.putIfAbsent(instructionOffset, btf.stringAt(data.getInt(at + 8)).stripLeading());
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return result; // a truncated .BTF.ext: what was read so far
        }
        return result;
    }

    private static final String[] CORE_KINDS = {"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64",
        "rshift_u64", "local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
        "enumval_value", "type_matches"};

    /** The CO-RE relocations of {@code .BTF.ext} (bpf_core_relo): per section, per byte offset. */
    private static Map<String, Map<Long, List<String>>> coreRelocations(RelocatableElf elf, Btf btf) {
        Map<String, Map<Long, List<String>>> result = new HashMap<>();
        Optional<RelocatableElf.Section> ext = elf.section(".BTF.ext");
        if (btf == null || ext.isEmpty()) {
            return result;
        }
        java.nio.ByteBuffer data = java.nio.ByteBuffer.wrap(elf.bytes(ext.get())).order(elf.order());
        try {
            int headerLength = data.getInt(4);
            if (headerLength < 32) {
                return result; // an older header without CO-RE relocations
            }
            int offset = headerLength + data.getInt(24);
            int length = data.getInt(28);
            if (length < 4) {
                return result;
            }
            int recordSize = data.getInt(offset);
            int at = offset + 4;
            int end = offset + length;
            while (at + 8 <= end) {
                String sectionName = btf.stringAt(data.getInt(at));
                int count = data.getInt(at + 4);
                at += 8;
                Map<Long, List<String>> byOffset = result.computeIfAbsent(sectionName, k -> new HashMap<>());
                for (int i = 0; i < count && at + 16 <= end; i++, at += recordSize) {
                    long instructionOffset = Integer.toUnsignedLong(data.getInt(at));
                    String note = coreNote(btf, data.getInt(at + 4), btf.stringAt(data.getInt(at + 8)), data.getInt(at + 12));
                    byOffset.computeIfAbsent(instructionOffset, k -> new ArrayList<>()).add(note);
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return result; // a truncated .BTF.ext: what was read so far
        }
        return result;
    }

    /** "CO-RE <byte_off> [16] struct xdp_md::data_end (0:1)": the root type, then the access path by name. */
    private static String coreNote(Btf btf, int typeId, String access, int kind) {
        String kindName = kind >= 0 && kind < CORE_KINDS.length ? CORE_KINDS[kind] : "kind " + kind;
        StringBuilder spec = new StringBuilder();
        try {
            BtfType root = btf.type(typeId);
            spec.append(btf.typeName(typeId));
            String[] indices = access.split(":");
            if (kind <= 5 && indices.length > 0 && !access.isEmpty()) { // field relocations walk members
                int first = Integer.parseInt(indices[0]);
                if (first != 0) {
                    spec.append('[').append(first).append(']');
                }
                BtfType current = btf.resolve(root.id());
                for (int i = 1; i < indices.length; i++) {
                    int index = Integer.parseInt(indices[i]);
                    if (current instanceof BtfType.Struct struct && index < struct.members().size()) {
                        BtfType.Member member = struct.members().get(index);
                        spec.append(i == 1 ? "::" : ".").append(member.name());
                        current = btf.resolve(member.typeId());
                    } else if (current instanceof BtfType.Array array) {
                        spec.append('[').append(index).append(']');
                        current = btf.resolve(array.elementTypeId());
                    } else {
                        break;
                    }
                }
            } else if (kind == 10 || kind == 11) { // enum value relocations: the enumerator
                if (btf.resolve(root.id()) instanceof BtfType.Enum e && !access.isEmpty()
                        && Integer.parseInt(access) < e.constants().size()) {
                    BtfType.EnumConstant constant = e.constants().get(Integer.parseInt(access));
                    spec.append("::").append(constant.name()).append(" = ").append(constant.value());
                }
            }
        } catch (RuntimeException e) {
            spec.setLength(0);
            spec.append("type ").append(typeId); // a bad id or access string: show the raw record
        }
        return "CO-RE <" + kindName + "> [" + typeId + "] " + spec + (kind <= 5 ? " (" + access + ")" : "");
    }

    private static HelperNames kernelHelpers() {
        try {
            return HelperNames.kernel();
        } catch (BpfException e) {
            return HelperNames.of(null); // no kernel BTF: helpers by number
        }
    }

    private static List<RelocatableElf.Symbol> functionsOf(RelocatableElf elf, RelocatableElf.Section section) {
        return elf.symbols().stream().filter(s -> s.section() == section.index() && s.type() == RelocatableElf.STT_FUNC)
                .sorted(java.util.Comparator.comparingLong(RelocatableElf.Symbol::value)).toList();
    }

    private static String prototype(Btf btf, String function) {
        if (btf == null) {
            return null;
        }
        Optional<BtfType.Function> type = btf.find(BtfType.Function.class, function);
        String signature = type.map(t -> Prototypes.of(btf, t.id())).orElse("");
        return signature.isEmpty() ? null : signature;
    }

    /** The listing as text: the signature (or name), then "; source" and "slot: (op) text" lines. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add((prototype != null ? prototype : function) + ":  ; section " + section
                + (firstSlot > 0 ? ", from insn " + firstSlot : ""));
        for (int i = 0; i < instructions.size(); i++) {
            if (!sources.get(i).isEmpty()) {
                lines.add("; " + sources.get(i));
            }
            lines.add(String.format("%4d: %s", instructions.get(i).index(), texts.get(i)));
            for (String relocation : coreRelocations.get(i)) {
                lines.add("      ; " + relocation);
            }
        }
        return lines;
    }

    /** What the object's relocations (and, for local calls, the code itself) name. */
    private record Names(RelocatableElf elf, RelocatableElf.Section section, List<RelocatableElf.Symbol> functions,
            Map<Long, RelocatableElf.Relocation> relocations, long functionStart, HelperNames helpers)
            implements Disassembler.Names {

        private Optional<RelocatableElf.Symbol> relocated(Instruction insn) {
            RelocatableElf.Relocation relocation = relocations.get(functionStart + (long) insn.index() * 8);
            return relocation == null ? Optional.empty() : Optional.of(elf.symbols().get(relocation.symbol()));
        }

        /**
         * clang writes a kfunc call as a pseudo call to an undefined symbol; libbpf makes it a
         * kfunc call when loading. Shown as it will be loaded.
         */
        Instruction asLoaded(Instruction insn) {
            boolean call = (insn.instructionClass() == Opcodes.JMP || insn.instructionClass() == Opcodes.JMP32)
                    && insn.operation() == Opcodes.CALL && insn.src() == Opcodes.PSEUDO_CALL;
            if (call && relocated(insn).filter(s -> s.section() == RelocatableElf.SHN_UNDEF).isPresent()) {
                return new Instruction(insn.index(), insn.opcode(), insn.dst(), Opcodes.PSEUDO_KFUNC_CALL,
                        insn.offset(), insn.imm(), insn.imm2());
            }
            return insn;
        }

        @Override
        public String helper(int id) {
            return helpers.name(id);
        }

        @Override
        public String call(Instruction call) {
            Optional<RelocatableElf.Symbol> symbol = relocated(call);
            if (call.src() != Opcodes.PSEUDO_CALL) {
                return symbol.map(RelocatableElf.Symbol::name).orElse(null); // a kfunc names its extern
            }
            String offset = (call.imm() >= 0 ? "+" : "") + call.imm();
            String target;
            if (symbol.isEmpty()) {
                // resolved by the compiler: a function of this section, imm + 1 slots further on
                target = functionAt(section.index(), functionStart + (call.index() + call.imm() + 1L) * 8);
            } else if (symbol.get().type() == RelocatableElf.STT_SECTION) {
                target = functionAt(symbol.get().section(), symbol.get().value() + (call.imm() + 1L) * 8);
            } else {
                target = symbol.get().name();
            }
            return target == null ? offset : offset + "#" + target;
        }

        @Override
        public String imm64(Instruction load) {
            Optional<RelocatableElf.Symbol> found = relocated(load);
            if (found.isEmpty()) {
                return null;
            }
            RelocatableElf.Symbol symbol = found.get();
            if (symbol.section() == RelocatableElf.SHN_UNDEF) {
                return "extern[" + symbol.name() + "]";
            }
            RelocatableElf.Section target = elf.sections().get(symbol.section());
            if (target.name().equals(".maps") || target.name().equals("maps")) {
                return "map[" + symbol.name() + "]";
            }
            boolean sectionSymbol = symbol.type() == RelocatableElf.STT_SECTION;
            long offset = (sectionSymbol ? 0 : symbol.value()) + load.imm();
            if (target.isCode()) {
                String function = sectionSymbol ? functionAt(target.index(), offset) : symbol.name();
                return "subprog[" + (function != null ? function : target.name() + "+" + offset) + "]";
            }
            return "map[" + target.name() + "][0]+" + offset + (sectionSymbol ? "" : " <" + symbol.name() + ">");
        }

        private String functionAt(int sectionIndex, long offset) {
            return elf.symbols().stream().filter(s -> s.section() == sectionIndex && s.value() == offset
                    && s.type() == RelocatableElf.STT_FUNC).map(RelocatableElf.Symbol::name).findFirst().orElse(null);
        }
    }
}
