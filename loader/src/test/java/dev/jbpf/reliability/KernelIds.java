package dev.jbpf.reliability;

import dev.jbpf.bindings.LibBpf;
import dev.jbpf.internal.Fd;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntUnaryOperator;

/**
 * Kernel objects a test created, by id, to check afterwards that the kernel no longer has any
 * of them (ids are not reused soon, so other processes' objects never match).
 */
final class KernelIds {
    final Set<Integer> programs = new LinkedHashSet<>();
    final Set<Integer> maps = new LinkedHashSet<>();
    final Set<Integer> links = new LinkedHashSet<>();
    final Set<Integer> btfs = new LinkedHashSet<>();

    int size() {
        return programs.size() + maps.size() + links.size() + btfs.size();
    }

    /**
     * The ids that still name a kernel object, as "prog 12"; waits up to a second for the
     * kernel's deferred frees.
     */
    List<String> stillInKernel() throws InterruptedException {
        List<String> alive = List.of();
        for (int attempt = 0; attempt < 20; attempt++) {
            alive = new ArrayList<>();
            alive.addAll(alive("prog", programs, LibBpf::bpf_prog_get_fd_by_id));
            alive.addAll(alive("map", maps, LibBpf::bpf_map_get_fd_by_id));
            alive.addAll(alive("link", links, LibBpf::bpf_link_get_fd_by_id));
            alive.addAll(alive("btf", btfs, LibBpf::bpf_btf_get_fd_by_id));
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        return alive;
    }

    private static List<String> alive(String kind, Set<Integer> ids, IntUnaryOperator getFd) {
        List<String> alive = new ArrayList<>();
        for (int id : ids) {
            int fd = getFd.applyAsInt(id);
            if (fd >= 0) {
                Fd.close(fd);
                alive.add(kind + " " + id);
            }
        }
        return alive;
    }
}
