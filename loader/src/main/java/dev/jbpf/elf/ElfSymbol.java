package dev.jbpf.elf;

import java.util.Objects;

/**
 * One symbol of an ELF file ({@code .symtab} or {@code .dynsym}). A plain value.
 *
 * @param name the symbol's name without its version ("malloc")
 * @param version its GNU symbol version ("GLIBC_2.2.5"), or null when it has none
 * @param defaultVersion whether {@code version} is the default one that new links bind to
 *     ({@code malloc@@GLIBC_2.2.5}); false for older, hidden versions ({@code memcpy@GLIBC_2.2.5})
 *     and for unversioned symbols
 * @param address its virtual address ({@code st_value})
 * @param size its size in bytes ({@code st_size}, 0 when unknown)
 * @param kind what it is ({@code STT_*})
 * @param binding its linkage ({@code STB_*})
 * @param dynamic true when it comes from {@code .dynsym}, false from {@code .symtab}
 */
public record ElfSymbol(String name, String version, boolean defaultVersion, long address, long size, Kind kind,
        Binding binding, boolean dynamic) {

    /** The symbol's type ({@code STT_*}). */
    public enum Kind {
        /** STT_FUNC: code. */
        FUNCTION,
        /**
         * STT_GNU_IFUNC: the address is a resolver that the dynamic linker calls once to pick
         * the implementation (memcpy, strlen in glibc); a probe there fires only at that moment.
         */
        INDIRECT_FUNCTION,
        /** STT_OBJECT: data. */
        OBJECT,
        /** Anything else (STT_NOTYPE, STT_SECTION, STT_FILE, STT_TLS, ...). */
        OTHER;

        static Kind of(int stType) {
            return switch (stType) {
                case 2 -> FUNCTION;
                case 10 -> INDIRECT_FUNCTION;
                case 1 -> OBJECT;
                default -> OTHER;
            };
        }
    }

    /** The symbol's binding ({@code STB_*}). */
    public enum Binding {
        LOCAL, GLOBAL, WEAK, OTHER;

        static Binding of(int stBind) {
            return switch (stBind) {
                case 0 -> LOCAL;
                case 1 -> GLOBAL;
                case 2 -> WEAK;
                default -> OTHER;
            };
        }
    }

    public ElfSymbol {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(binding, "binding");
        if (version == null && defaultVersion) {
            throw new IllegalArgumentException("an unversioned symbol has no default version");
        }
    }

    /** The name as tools print it: "malloc@@GLIBC_2.2.5", "memcpy@GLIBC_2.2.5" or "main". */
    public String qualifiedName() {
        return version == null ? name : name + (defaultVersion ? "@@" : "@") + version;
    }

    /** Whether it is code (a function or an indirect function). */
    public boolean isFunction() {
        return kind == Kind.FUNCTION || kind == Kind.INDIRECT_FUNCTION;
    }
}
