package dev.jbpf.exporter;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One decoder of a label, as ebpf_exporter's {@code decoders:} list gives it.
 *
 * @param name the decoder's name ({@code uint}, {@code static_map}, ...)
 * @param staticMap {@code static_map}'s table (keys and values as written), empty when not given
 * @param regexps {@code regexps}, compiled, in order; empty when not given
 * @param allowUnknown {@code allow_unknown}: static_map passes unmapped values through
 * @param where the line of the decoder's {@code name}
 */
public record DecoderConfig(String name, Map<String, String> staticMap, List<Pattern> regexps, boolean allowUnknown,
        SourceLine where) {
    public DecoderConfig {
        staticMap = Map.copyOf(staticMap);
        regexps = List.copyOf(regexps);
    }
}
