package dev.jbpf.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * "Did you mean": the names closest to one that was not found (a few edits away, or containing
 * it, or contained in it), for error messages about symbols, types, maps and programs. Pure
 * Java; owns nothing.
 */
public final class CloseNames {
    private CloseNames() {
    }

    /**
     * At most {@code limit} of candidates close to wanted, closest first (ties by name): those
     * within max(1, length / 4) edits (case ignored), then those that contain wanted or that it
     * contains (3 characters at least). Empty when none is close.
     */
    public static List<String> closest(String wanted, Iterable<String> candidates, int limit) {
        String lower = wanted.toLowerCase();
        int maxDistance = Math.max(1, wanted.length() / 4);
        Map<String, Integer> scored = new HashMap<>();
        for (String candidate : candidates) {
            if (candidate.equals(wanted)) {
                continue;
            }
            String candidateLower = candidate.toLowerCase();
            int distance = editDistance(lower, candidateLower, maxDistance);
            if (distance <= maxDistance) {
                scored.merge(candidate, distance, Math::min);
            } else if (lower.length() >= 3 && (candidateLower.contains(lower) || lower.contains(candidateLower)
                    && candidateLower.length() >= 3)) {
                scored.merge(candidate, maxDistance + 1 + Math.abs(candidate.length() - wanted.length()), Math::min);
            }
        }
        return scored.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(Map.Entry::getKey).toList();
    }

    /** "; similar: a, b" for the closest names, or "" when none is close. */
    public static String suffix(String wanted, Iterable<String> candidates, int limit) {
        List<String> close = closest(wanted, candidates, limit);
        return close.isEmpty() ? "" : "; similar: " + String.join(", ", close);
    }

    /** Up to this many names a not-found message lists when none is close to the one asked for. */
    private static final int LISTED_WHEN_NONE_CLOSE = 24;

    /**
     * What a not-found message offers instead of a name, kept to one line however many names
     * there are (a binary may have hundreds of probes): {@code "; OWNER a, b"} when there are at
     * most {@code limit} candidates; else {@code "; similar: a, b, c (OWNER 566)"}, the
     * {@code limit} closest, when any is close (a typo); else all of them while they are few
     * (at most 24), else {@code "; OWNER 566, none close to 'x'"}; {@code "; OWNER none"} when
     * there are no candidates. {@code owner} reads like "the object has".
     */
    public static String offer(String wanted, Collection<String> candidates, int limit, String owner) {
        List<String> distinct = candidates.stream().distinct().toList();
        if (distinct.isEmpty()) {
            return "; " + owner + " none";
        }
        List<String> close = distinct.size() <= limit ? List.of() : closest(wanted, distinct, limit);
        if (!close.isEmpty()) {
            return "; similar: " + String.join(", ", close) + " (" + owner + " " + distinct.size() + ")";
        }
        return distinct.size() <= Math.max(limit, LISTED_WHEN_NONE_CLOSE) ? "; " + owner + " " + String.join(", ", distinct)
                : "; " + owner + " " + distinct.size() + ", none close to '" + wanted + "'";
    }

    /** Levenshtein distance, or {@code limit + 1} as soon as it is certain to exceed limit. */
    public static int editDistance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) {
            return limit + 1;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = current[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.min(rowMin, current[j]);
            }
            if (rowMin > limit) {
                return limit + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
