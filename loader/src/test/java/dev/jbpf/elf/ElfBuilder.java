package dev.jbpf.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small synthetic ELF64 files for the parser's tests: one PT_LOAD segment mapping file
 * offset 0x1000 at virtual address 0x7000 (so offsets and addresses differ), a .text section
 * there, a .symtab and a .dynsym with GNU versions (.gnu.version, .gnu.version_d).
 */
final class ElfBuilder {
    static final int STT_OBJECT = 1, STT_FUNC = 2, STT_GNU_IFUNC = 10;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    static final int TEXT = 1; // section index of .text
    static final long SEGMENT_OFFSET = 0x1000, SEGMENT_ADDRESS = 0x7000, SEGMENT_SIZE = 0x100;

    /** A symbol; {@code versym} is the .gnu.version entry (dynsym only; 0x8000 = hidden). */
    record Sym(String name, long value, long size, int type, int bind, int shndx, int versym) {
        static Sym function(String name, long value, int bind) {
            return new Sym(name, value, 8, STT_FUNC, bind, TEXT, 1);
        }
    }

    private final ByteOrder order;
    private final List<Sym> symtab = new ArrayList<>();
    private final List<Sym> dynsym = new ArrayList<>();
    /** Version names defined, index 2, 3, ... (index 1 is the file itself). */
    private final List<String> versions = new ArrayList<>();

    ElfBuilder(ByteOrder order) {
        this.order = order;
    }

    ElfBuilder symtab(Sym symbol) {
        symtab.add(symbol);
        return this;
    }

    ElfBuilder dynsym(Sym symbol) {
        dynsym.add(symbol);
        return this;
    }

    /** Defines a version; returns its index for {@link Sym#versym}. */
    int version(String name) {
        versions.add(name);
        return versions.size() + 1;
    }

    byte[] build() {
        Strings strtab = new Strings();
        Strings dynstr = new Strings();
        byte[] symtabBytes = symbols(symtab, strtab);
        byte[] dynsymBytes = symbols(dynsym, dynstr);
        ByteBuffer versym = buffer(2 * (dynsym.size() + 1));
        versym.putShort((short) 0);
        for (Sym symbol : dynsym) {
            versym.putShort((short) symbol.versym());
        }
        int fileName = dynstr.add("libsynthetic.so.1");
        List<Integer> versionNames = versions.stream().map(dynstr::add).toList();
        ByteBuffer verdef = buffer(28 * (versions.size() + 1));
        for (int i = 0; i <= versions.size(); i++) {
            boolean last = i == versions.size();
            verdef.putShort((short) 1).putShort((short) (i == 0 ? 1 : 0)).putShort((short) (i + 1)).putShort((short) 1)
                    .putInt(0).putInt(20).putInt(last ? 0 : 28);
            verdef.putInt(i == 0 ? fileName : versionNames.get(i - 1)).putInt(0);
        }
        Strings shstrtab = new Strings();
        String[] names = {"", ".text", ".symtab", ".strtab", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d",
                ".shstrtab"};
        int[] nameOffsets = new int[names.length];
        for (int i = 1; i < names.length; i++) {
            nameOffsets[i] = shstrtab.add(names[i]);
        }
        byte[][] contents = {new byte[0], text(), symtabBytes, strtab.bytes(), dynsymBytes, dynstr.bytes(),
                versym.array(), verdef.array(), shstrtab.bytes()};
        int[] types = {0, 1, 2, 3, 11, 3, 0x6fffffff, 0x6ffffffd, 3};
        int[] links = {0, 0, 3, 0, 5, 0, 4, 5, 0};
        long[] entrySizes = {0, 0, 24, 0, 24, 0, 2, 0, 0};

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(new byte[(int) SEGMENT_OFFSET]); // header and program header, filled in below
        long[] offsets = new long[names.length];
        for (int i = 1; i < names.length; i++) {
            while (file.size() % 8 != 0) {
                file.write(0);
            }
            offsets[i] = file.size();
            file.writeBytes(contents[i]);
        }
        while (file.size() % 8 != 0) {
            file.write(0);
        }
        long shoff = file.size();
        for (int i = 0; i < names.length; i++) {
            ByteBuffer header = buffer(64);
            header.putInt(nameOffsets[i]).putInt(types[i]).putLong(i == TEXT ? 6 : 0)
                    .putLong(i == TEXT ? SEGMENT_ADDRESS : 0).putLong(i == 0 ? 0 : offsets[i])
                    .putLong(contents[i].length).putInt(links[i]).putInt(i == 2 || i == 4 ? 1 : 0).putLong(8)
                    .putLong(entrySizes[i]);
            file.writeBytes(header.array());
        }
        byte[] bytes = file.toByteArray();
        ByteBuffer header = ByteBuffer.wrap(bytes).order(order);
        header.put(new byte[] {0x7f, 'E', 'L', 'F', 2, (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        header.position(16);
        header.putShort((short) 3).putShort((short) 62).putInt(1).putLong(SEGMENT_ADDRESS).putLong(64).putLong(shoff)
                .putInt(0).putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64)
                .putShort((short) names.length).putShort((short) (names.length - 1));
        header.position(64);
        header.putInt(1).putInt(5).putLong(SEGMENT_OFFSET).putLong(SEGMENT_ADDRESS).putLong(SEGMENT_ADDRESS)
                .putLong(SEGMENT_SIZE).putLong(SEGMENT_SIZE).putLong(0x1000);
        return bytes;
    }

    /** .text: byte i of the segment is i, so a test can tell where an offset points. */
    private static byte[] text() {
        byte[] text = new byte[(int) SEGMENT_SIZE];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) i;
        }
        return text;
    }

    private byte[] symbols(List<Sym> symbols, Strings strings) {
        ByteBuffer table = buffer(24 * (symbols.size() + 1));
        table.position(24);
        for (Sym symbol : symbols) {
            table.putInt(strings.add(symbol.name())).put((byte) ((symbol.bind() << 4) | symbol.type())).put((byte) 0)
                    .putShort((short) symbol.shndx()).putLong(symbol.value()).putLong(symbol.size());
        }
        return table.array();
    }

    private ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(order);
    }

    /** A string table being written. */
    private static final class Strings {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Strings() {
            bytes.write(0);
        }

        int add(String value) {
            int offset = bytes.size();
            bytes.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            bytes.write(0);
            return offset;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
