package dev.jbpf.link;

import java.util.Objects;

/** Argument checks shared by the attach points. */
final class AttachPoints {
    private AttachPoints() {
    }

    static void requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }
}
