package dev.jbpf.skeleton;

import dev.jbpf.BpfException;
import dev.jbpf.BpfNotFoundException;
import dev.jbpf.BpfObject;
import dev.jbpf.OpenedObject;
import dev.jbpf.internal.Errno;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** Where generated skeletons find their BPF object. Static methods only; owns nothing. */
public final class Skeletons {
    private Skeletons() {
    }

    /**
     * Opens the BPF object that is the classpath resource {@code file} next to {@code owner}
     * (same package), as the jbpf-maven-plugin packages it. The object is named after the file
     * up to its first dot, as libbpf names objects opened from files.
     *
     * @throws BpfNotFoundException when there is no such resource, saying where it was looked for
     */
    public static OpenedObject openResource(Class<?> owner, String file) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(file, "file");
        String where = owner.getPackageName().replace('.', '/') + "/" + file;
        byte[] elf;
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new BpfNotFoundException("open object", file, "no classpath resource " + where + " (next to "
                        + owner.getName() + "); the jbpf-maven-plugin puts it there, or copy the .bpf.o the "
                        + "skeleton was generated from into that package's resources");
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new BpfException("open object", where, Errno.EIO, e.getMessage(), e);
        }
        int dot = file.indexOf('.');
        return BpfObject.open(elf, dot > 0 ? file.substring(0, dot) : file);
    }
}
