package dev.jbpf.internal;

import dev.jbpf.btf.Btf;
import dev.jbpf.link.AttachPoint;
import dev.jbpf.link.BpfLink;
import dev.jbpf.map.BpfMap;
import dev.jbpf.map.OpenedMap;
import dev.jbpf.program.BpfProgram;
import dev.jbpf.program.OpenedProgram;
import java.lang.foreign.MemorySegment;

/**
 * The calls one API package of the loader makes into another that are not API (making a
 * program handle of an object's {@code struct bpf_program *}, adopting a libbpf link, tying a
 * ring buffer's life to its map's). Each package registers its side from a static initialiser
 * of its main class, which stays free of public "internal" members; callers get it here, which
 * initialises that class first. The JDK's {@code SharedSecrets} pattern. Owns nothing.
 */
public final class Access {
    /** {@code dev.jbpf.program}'s side, registered by {@link BpfProgram}. */
    public interface Programs {
        /** A handle of a loaded object's program; {@code object} owns the links made through it. */
        BpfProgram loaded(MemorySegment program, String objectName, Owner object);

        /** A handle of an open object's program; {@code ensureOpen} throws once the object is loaded or closed. */
        OpenedProgram opened(MemorySegment program, Runnable ensureOpen);
    }

    /** {@code dev.jbpf.link}'s side, registered by {@link BpfLink}. */
    public interface Links {
        /**
         * Wraps a {@code struct bpf_link *} libbpf returned; the link owns it and is closed with
         * {@code parent} (or null). {@code usdt}: libbpf's USDT link, which has no fd of its own.
         */
        BpfLink adopt(MemorySegment link, String description, Owner parent, boolean usdt);

        /**
         * Attaches the loaded {@code program} at {@code point}; {@code description} names the
         * attachment in errors, {@code owner} closes the link with itself (or null).
         */
        BpfLink attach(AttachPoint point, MemorySegment program, String description, Owner owner);
    }

    /** {@code dev.jbpf.map}'s side, registered by {@link BpfMap}. */
    public interface Maps {
        /** A handle of an open object's map; {@code ensureOpen} throws once the object is loaded or closed. */
        OpenedMap opened(MemorySegment map, Runnable ensureOpen);

        /** A handle of a loaded object's map; the object owns the fd. */
        BpfMap ofObjectMap(MemorySegment map, Owner object);

        /**
         * Closes {@code resource} (a ring or perf buffer reading the map) when the map's owner
         * closes; IllegalStateException when that is closed already.
         */
        void closeWith(BpfMap map, AutoCloseable resource);

        /** The resource given to {@link #closeWith} closed on its own. */
        void forget(BpfMap map, AutoCloseable resource);
    }

    /** {@code dev.jbpf.btf}'s side, registered by {@link Btf}. */
    public interface Btfs {
        /** Wraps a {@code struct btf *} a loaded object frees; {@code ensureOwnerOpen} throws once it is closed. */
        Btf borrowed(MemorySegment btf, Runnable ensureOwnerOpen);
    }

    private static Programs programs;
    private static Links links;
    private static Maps maps;
    private static Btfs btfs;

    private Access() {
    }

    public static void register(Programs side) {
        programs = side;
    }

    public static void register(Links side) {
        links = side;
    }

    public static void register(Maps side) {
        maps = side;
    }

    public static void register(Btfs side) {
        btfs = side;
    }

    public static Programs programs() {
        if (programs == null) {
            initialise(BpfProgram.class);
        }
        return programs;
    }

    public static Links links() {
        if (links == null) {
            initialise(BpfLink.class);
        }
        return links;
    }

    public static Maps maps() {
        if (maps == null) {
            initialise(BpfMap.class);
        }
        return maps;
    }

    public static Btfs btfs() {
        if (btfs == null) {
            initialise(Btf.class);
        }
        return btfs;
    }

    private static void initialise(Class<?> registrar) {
        try {
            Class.forName(registrar.getName(), true, registrar.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(registrar + " is loaded already", e);
        }
    }
}
