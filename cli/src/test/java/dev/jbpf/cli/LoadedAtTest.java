package dev.jbpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbpf.testing.UnitTest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** prog show's loaded_at is bpftool's ("%FT%T%z", local time), whichever way it is computed. */
@UnitTest
class LoadedAtTest {
    @Test
    void sameAsTheZoneRulesSay() {
        DateTimeFormatter bpftool = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxx").withZone(ZoneId.systemDefault());
        for (long seconds : new long[] {0, 951_782_400L /* 2000-02-29 */, 1_796_361_517L, 4_102_444_799L, 1_700_000_000L}) {
            Instant time = Instant.ofEpochSecond(seconds, 999_999_999);
            assertEquals(bpftool.format(time), ProgCommand.loadedAt(time), "at " + seconds);
        }
    }
}
