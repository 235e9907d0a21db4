package dev.jbpf.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbpf.internal.Owner;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attachments that are not libbpf links reach their {@link BpfLink} through the hand-over of
 * {@link BpfLink#adopt}; nothing handed over is ever left without an owner. No kernel needed.
 */
class HandOverTest {
    private final List<String> detached = new ArrayList<>();

    @Test
    void adoptedNetlinkAttachmentDetachesOnceWhenClosed() {
        BpfLink link = BpfLink.adopt(BpfLink.handOverDetach("a test attachment", () -> detached.add("a")), "link a", null);
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
    void aHandOverNeverAdoptedIsDetachedByTheNextOne() {
        BpfLink.handOverDetach("first", () -> detached.add("first"));
        MemorySegment second = BpfLink.handOverDetach("second", () -> detached.add("second"));
        assertEquals(List.of("first"), detached);
        try (BpfLink link = BpfLink.adopt(second, "link second", null)) {
            assertTrue(link.isOpen());
        }
        assertEquals(List.of("first", "second"), detached);
        assertThrows(IllegalStateException.class, () -> BpfLink.adopt(second, "nothing pending", null));
    }

    @Test
    void theObjectClosesWhatItOwns() {
        Owner object = new Owner("object 'test'");
        BpfLink.adopt(BpfLink.handOverDetach("owned", () -> detached.add("owned")), "link owned", object);
        object.close();
        assertEquals(List.of("owned"), detached);
    }

    @Test
    void adoptingIntoAClosedObjectDetachesAtOnce() {
        Owner object = new Owner("object 'closed'");
        object.close();
        assertThrows(IllegalStateException.class, () -> BpfLink.adopt(
                BpfLink.handOverDetach("late", () -> detached.add("late")), "link late", object));
        assertEquals(List.of("late"), detached);
    }
}
