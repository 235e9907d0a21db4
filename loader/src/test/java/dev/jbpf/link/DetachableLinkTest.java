package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbpf.internal.Owner;
import dev.jbpf.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Links that are not kernel links (a clsact filter, a netlink XDP attachment) detach once,
 * with their object, and never stay without an owner. No kernel needed.
 */
@UnitTest
class DetachableLinkTest {
    private final List<String> detached = new ArrayList<>();

    @Test
    void detachesOnceWhenClosedAndHasNoFd() {
        BpfLink link = BpfLink.ofDetach("a test attachment", () -> detached.add("a"), "link a", null);
        assertFalse(link.isKernelLink());
        UnsupportedOperationException noFd = assertThrows(UnsupportedOperationException.class, link::fd);
        assertEquals("link a is a test attachment, not a kernel BPF link: it has no fd or id and cannot be pinned",
                noFd.getMessage());
        link.close();
        link.close();
        assertEquals(List.of("a"), detached);
        assertThrows(IllegalStateException.class, link::isKernelLink);
        assertThrows(IllegalStateException.class, link::pinPath);
    }

    @Test
    void theObjectClosesWhatItOwns() {
        Owner object = new Owner("object 'test'");
        BpfLink.ofDetach("owned", () -> detached.add("owned"), "link owned", object);
        object.close();
        assertEquals(List.of("owned"), detached);
    }

    @Test
    void attachingIntoAClosedObjectDetachesAtOnce() {
        Owner object = new Owner("object 'closed'");
        object.close();
        assertThrows(IllegalStateException.class,
                () -> BpfLink.ofDetach("late", () -> detached.add("late"), "link late", object));
        assertEquals(List.of("late"), detached);
    }
}
