package dev.jbpf.exporter;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code cgroup_id_map} of a config (ebpf_exporter's): the exporter keeps the map {@code name} of
 * the object filled with the cgroups (v2) whose path ({@code /sys/fs/cgroup/system.slice/x.service})
 * one of {@code regexps} finds, so that the programs can tell the cgroups they count from the
 * others; cgroups made or removed later are added and dropped while the config is loaded.
 *
 * @param name the map of the object
 * @param type how the map is keyed
 * @param regexps the patterns (Java's, unanchored like Go's MatchString: {@code find})
 * @param where the line of the map's name (the map's errors)
 * @param typeWhere the line of {@code type} (its errors), or {@code where} when it is absent
 */
public record CgroupIdMapConfig(String name, Type type, List<Pattern> regexps, SourceLine where, SourceLine typeWhere) {
    public CgroupIdMapConfig {
        regexps = List.copyOf(regexps);
    }

    /** How the map is keyed and what the exporter writes into it. */
    public enum Type {
        /**
         * {@code type: hash} (the default): a hash map (BPF_MAP_TYPE_HASH or LRU_HASH) keyed by
         * the u64 cgroup id (the inode number of the cgroup's directory, what
         * {@code bpf_get_current_cgroup_id} returns), value u64 1; removed cgroups are deleted.
         */
        HASH("hash"),
        /**
         * {@code type: cgrp_storage}: a BPF_MAP_TYPE_CGRP_STORAGE map, written through an open fd
         * of the cgroup's directory (the u32 key), value u64 1; the kernel frees a removed
         * cgroup's storage itself.
         */
        CGRP_STORAGE("cgrp_storage");

        private final String yaml;

        Type(String yaml) {
            this.yaml = yaml;
        }

        /** The word of the YAML: "hash", "cgrp_storage". */
        public String yaml() {
            return yaml;
        }
    }

    /** Whether one of the regexps finds {@code path} (ebpf_exporter: any MatchString). */
    public boolean matches(String path) {
        for (Pattern regexp : regexps) {
            if (regexp.matcher(path).find()) {
                return true;
            }
        }
        return false;
    }
}
