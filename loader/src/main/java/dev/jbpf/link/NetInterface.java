package dev.jbpf.link;

import dev.jbpf.BpfNotFoundException;
import dev.jbpf.internal.Errno;
import dev.jbpf.internal.LibC;
import java.util.Objects;

/**
 * A network interface, by name ({@code "eth0"}) or by index, as the XDP and TC attach points
 * take it. A name is resolved to its index ({@code if_nametoindex}, in this process's network
 * namespace) when a program attaches, so the value can be made before the interface exists.
 * A value: holds no native memory.
 */
public final class NetInterface {
    /** Linux's IFNAMSIZ, NUL included. */
    private static final int MAX_NAME_BYTES = 16;

    private final String name;
    private final int index;

    private NetInterface(String name, int index) {
        this.name = name;
        this.index = index;
    }

    /** The interface named {@code name}; IllegalArgumentException when no interface could have that name. */
    public static NetInterface named(String name) {
        AttachPoints.requireName(name, "network interface name");
        if (name.length() >= MAX_NAME_BYTES || name.contains("/") || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + name + "' is not a network interface name"
                    + " (at most 15 characters, no '/' or white space)");
        }
        return new NetInterface(name, 0);
    }

    /** The interface with index {@code index} (> 0), as in {@code ip link}. */
    public static NetInterface ofIndex(int index) {
        if (index <= 0) {
            throw new IllegalArgumentException("a network interface index is > 0, not " + index);
        }
        return new NetInterface(null, index);
    }

    /**
     * The interface's index: the one given, or the named interface's index now. A name no
     * interface has gives a {@link BpfNotFoundException} naming it.
     */
    public int index() {
        if (name == null) {
            return index;
        }
        int resolved = LibC.ifNameToIndex(name);
        if (resolved < 0) {
            throw new BpfNotFoundException("find network interface", name, -resolved == Errno.ENODEV ? 0 : -resolved,
                    "no network interface has this name in this network namespace");
        }
        return resolved;
    }

    /** The name this value was made with; null when it was made from an index. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetInterface that && Objects.equals(name, that.name) && index == that.index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, index);
    }

    /** The name, or "ifindex N". */
    @Override
    public String toString() {
        return name != null ? name : "ifindex " + index;
    }
}
