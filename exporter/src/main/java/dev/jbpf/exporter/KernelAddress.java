package dev.jbpf.exporter;

/**
 * An entry of a config's {@code kaddrs}: the kernel symbol whose address is written, before
 * load, to the object's {@code const volatile u64 kaddr_SYMBOL}.
 */
public record KernelAddress(String symbol, SourceLine where) {
    /** The global variable the address goes to. */
    public String variable() {
        return "kaddr_" + symbol;
    }
}
