package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void deathsInQuickSuccessionDoubleTheWaitUpToTheLongest() {
        RestartBackoff b = new RestartBackoff(2);
        assertEquals(Duration.ofMillis(100), b.died(0, 0));
        assertEquals(Duration.ofMillis(200), b.died(0, SECOND));
        assertEquals(Duration.ofMillis(400), b.died(0, 2 * SECOND));
        long t = 2 * SECOND;
        Duration last = null;
        for (int i = 0; i < 20; i++) {
            t += SECOND;
            last = b.died(0, t);
        }
        assertEquals(RestartBackoff.LONGEST, last);
        assertEquals(Duration.ofMillis(100), b.died(1, t), "each worker has its own backoff");
    }

    @Test
    void aQuietSpellStartsOverAtTheFirstWait() {
        RestartBackoff b = new RestartBackoff(1);
        b.died(0, 0);
        b.died(0, SECOND);
        assertEquals(Duration.ofMillis(100), b.died(0, SECOND + RestartBackoff.QUIET.toNanos()));
    }
}
