package dev.jbpf.reliability;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes hostile variants of a valid BPF object (an ELF64 little-endian file), deterministically
 * from (seed, case number), so that the forked driver and the test that starts it agree on
 * what case N was without passing files around. The mutations aim at what a loader parses:
 * the ELF header, section headers, symbol tables, relocations, BTF and BTF.ext, program text,
 * and sizes and offsets that point outside the file.
 */
final class ElfMutator {
    /** Mutation kinds, for the figures: the name of each strategy. */
    static final List<String> KINDS = List.of("truncate", "bit-flips", "interesting-value", "elf-header",
            "section-header", "symbol", "btf-header", "btf-body", "btf-ext", "relocation", "instruction",
            "block-copy", "data-section", "combined");
    /** The kinds used for load cases: they keep the file parseable more often, so load is reached. */
    private static final int[] LOAD_KINDS = {5, 7, 8, 9, 10, 10, 10, 12, 12, 2, 1};

    private static final int SHDR = 64, SYM = 24, REL = 16, INSN = 8;
    private static final long[] INTERESTING = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000,
            0xffff, 0x10000, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL, 0x100000000L, -1L, Long.MAX_VALUE,
            Long.MIN_VALUE, 0x7ffffffffffffL};

    /** One section of the original file. */
    record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
            long entsize, long headerOffset) {
    }

    /** A mutated object and how it was made. */
    record Case(String base, String kind, byte[] bytes) {
    }

    private final String baseName;
    private final byte[] original;
    private final List<Section> sections;

    ElfMutator(String baseName, byte[] original) {
        this.baseName = baseName;
        this.original = original;
        this.sections = parse(original);
    }

    String baseName() {
        return baseName;
    }

    /** Case number {@code index} of the open campaign (any mutation) or of the load campaign. */
    Case mutate(long seed, long index, boolean forLoad) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int kind = forLoad ? LOAD_KINDS[random.nextInt(LOAD_KINDS.length)] : random.nextInt(KINDS.size());
        byte[] bytes = original.clone();
        if (kind == 13) {
            int rounds = 2 + random.nextInt(3);
            for (int i = 0; i < rounds; i++) {
                bytes = apply(random.nextInt(13), bytes, random);
            }
        } else {
            bytes = apply(kind, bytes, random);
        }
        return new Case(baseName, KINDS.get(kind), bytes);
    }

    private byte[] apply(int kind, byte[] b, SplittableRandom r) {
        if (b.length < 2) {
            return b; // truncated to nothing by an earlier round of a combined mutation
        }
        switch (kind) {
            case 0 -> {
                // cut at a random place, or just before/after a section start or end
                int cut = r.nextBoolean() || sections.isEmpty() ? r.nextInt(b.length)
                        : (int) Math.min(b.length - 1, Math.max(0, boundary(r) + r.nextInt(-2, 3)));
                return Arrays.copyOf(b, cut);
            }
            case 1 -> {
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = r.nextInt(b.length);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 2 -> put(b, r.nextInt(b.length), 1 << r.nextInt(4), interesting(r, b));
            case 3 -> {
                int[][] fields = {{4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {40, 8}, {52, 2}, {58, 2},
                        {60, 2}, {62, 2}};
                int[] f = fields[r.nextInt(fields.length)];
                long value = f[0] == 18 && r.nextBoolean() ? new int[] {62, 3, 183, 0, 0xffff}[r.nextInt(5)]
                        : interesting(r, b);
                put(b, f[0], f[1], value);
            }
            case 4 -> {
                Section s = anySection(r);
                if (s != null) {
                    int[][] fields = {{0, 4}, {4, 4}, {8, 8}, {24, 8}, {32, 8}, {40, 4}, {44, 4}, {48, 8}, {56, 8}};
                    int[] f = fields[r.nextInt(fields.length)];
                    put(b, (int) s.headerOffset + f[0], f[1], interesting(r, b));
                }
            }
            case 5 -> {
                Section s = byType(r, 2); // SHT_SYMTAB
                if (s != null && s.size >= SYM) {
                    long at = s.offset + SYM * (long) r.nextInt((int) (s.size / SYM));
                    int[][] fields = {{0, 4}, {4, 1}, {5, 1}, {6, 2}, {8, 8}, {16, 8}};
                    int[] f = fields[r.nextInt(fields.length)];
                    putIn(b, at + f[0], f[1], interesting(r, b));
                }
            }
            case 6 -> {
                Section s = named(".BTF");
                if (s != null) {
                    int[][] fields = {{0, 2}, {2, 1}, {3, 1}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}};
                    int[] f = fields[r.nextInt(fields.length)];
                    putIn(b, s.offset + f[0], f[1], interesting(r, b));
                }
            }
            case 7 -> {
                Section s = named(".BTF");
                if (s != null && s.size > 24) {
                    int n = 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        putIn(b, s.offset + 24 + r.nextLong(s.size - 24), 1 << r.nextInt(3), interesting(r, b));
                    }
                }
            }
            case 8 -> {
                Section s = named(".BTF.ext");
                if (s != null && s.size > 8) {
                    long at = r.nextInt(3) == 0 ? s.offset + 4 * r.nextInt(8) : s.offset + r.nextLong(s.size);
                    putIn(b, at, 4, interesting(r, b));
                }
            }
            case 9 -> {
                Section s = byType(r, 9); // SHT_REL
                if (s != null && s.size >= REL) {
                    long at = s.offset + REL * (long) r.nextInt((int) (s.size / REL));
                    switch (r.nextInt(3)) {
                        case 0 -> putIn(b, at, 8, interesting(r, b)); // r_offset
                        case 1 -> putIn(b, at + 12, 4, interesting(r, b)); // symbol index
                        default -> putIn(b, at + 8, 4, interesting(r, b)); // type
                    }
                }
            }
            case 10 -> {
                Section s = executable(r);
                if (s != null && s.size >= INSN) {
                    long insn = s.offset + INSN * (long) r.nextInt((int) (s.size / INSN));
                    switch (r.nextInt(4)) {
                        case 0 -> putIn(b, insn, 1, r.nextInt(256)); // opcode
                        case 1 -> putIn(b, insn + 1, 1, r.nextInt(256)); // registers
                        case 2 -> putIn(b, insn + 2, 2, interesting(r, b)); // offset
                        default -> putIn(b, insn + 4, 4, interesting(r, b)); // immediate
                    }
                }
            }
            case 11 -> {
                int length = 1 + r.nextInt(Math.min(256, b.length));
                int from = r.nextInt(b.length - length + 1), to = r.nextInt(b.length - length + 1);
                System.arraycopy(b, from, b, to, length);
            }
            case 12 -> {
                Section s = dataSection(r);
                if (s != null && s.size > 0) {
                    putIn(b, s.offset + r.nextLong(s.size), 1 << r.nextInt(4), interesting(r, b));
                }
            }
            default -> throw new IllegalArgumentException("kind " + kind);
        }
        return b;
    }

    // ---- picking places ---------------------------------------------------------------------

    private long boundary(SplittableRandom r) {
        Section s = sections.get(r.nextInt(sections.size()));
        return r.nextBoolean() ? s.offset : s.offset + s.size;
    }

    private Section anySection(SplittableRandom r) {
        return sections.isEmpty() ? null : sections.get(r.nextInt(sections.size()));
    }

    private Section byType(SplittableRandom r, int type) {
        List<Section> matching = sections.stream().filter(s -> s.type == type).toList();
        return matching.isEmpty() ? null : matching.get(r.nextInt(matching.size()));
    }

    private Section named(String name) {
        return sections.stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
    }

    private Section executable(SplittableRandom r) {
        List<Section> code = sections.stream().filter(s -> (s.flags & 4) != 0 && s.type == 1).toList();
        return code.isEmpty() ? null : code.get(r.nextInt(code.size()));
    }

    private Section dataSection(SplittableRandom r) {
        List<Section> data = sections.stream()
                .filter(s -> s.type == 1 && (s.name.startsWith(".data") || s.name.startsWith(".rodata")
                        || s.name.equals(".maps") || s.name.equals("license")))
                .toList();
        return data.isEmpty() ? null : data.get(r.nextInt(data.size()));
    }

    private static long interesting(SplittableRandom r, byte[] file) {
        return switch (r.nextInt(4)) {
            case 0 -> file.length + r.nextInt(-8, 9); // just inside or outside the file
            case 1 -> r.nextLong();
            default -> INTERESTING[r.nextInt(INTERESTING.length)];
        };
    }

    private static void putIn(byte[] b, long at, int width, long value) {
        if (at >= 0 && at + width <= b.length) {
            put(b, (int) at, width, value);
        }
    }

    private static void put(byte[] b, int at, int width, long value) {
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
    }

    /** The section headers of a valid ELF64 LE file (empty when it is not one). */
    static List<Section> parse(byte[] elf) {
        List<Section> out = new ArrayList<>();
        if (elf.length < 64 || elf[4] != 2 || elf[5] != 1) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = buf.getLong(0x28);
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3E));
        if (shoff <= 0 || shoff + (long) shnum * SHDR > elf.length || shstrndx >= shnum) {
            return out;
        }
        long strOffset = buf.getLong((int) (shoff + (long) shstrndx * SHDR + 24));
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * SHDR);
            int nameAt = (int) (strOffset + Integer.toUnsignedLong(buf.getInt(h)));
            int end = nameAt;
            while (end < elf.length && elf[end] != 0) {
                end++;
            }
            String name = new String(elf, nameAt, end - nameAt, StandardCharsets.US_ASCII);
            out.add(new Section(i, name, buf.getInt(h + 4), buf.getLong(h + 8), buf.getLong(h + 24),
                    buf.getLong(h + 32), buf.getInt(h + 40), buf.getInt(h + 44), buf.getLong(h + 56), h));
        }
        return List.copyOf(out);
    }
}
