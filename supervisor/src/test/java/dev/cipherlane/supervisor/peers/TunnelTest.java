package dev.cipherlane.supervisor.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Issue: SA limits were checked for every tunnel at once on one thread; a failure was everyone's. */
class TunnelTest {
    private static final Duration PERIOD = Duration.ofMillis(20);
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        KIT.shutdownTestKit();
    }

    /** Counts its checks; throws on the checks {@code from} to {@code to}. */
    private record Counting(String name, AtomicInteger checks, int from, int to) implements TunnelControl {
        Counting(String name, int from, int to) {
            this(name, new AtomicInteger(), from, to);
        }

        @Override
        public boolean checkLimits() {
            int n = checks.incrementAndGet();
            if (n >= from && n <= to) {
                throw new IllegalStateException(name + ": check " + n + " failed");
            }
            return false;
        }
    }

    @Test
    void aFailingTunnelIsRestartedAloneWhileTheOthersGoOn() {
        Counting steady = new Counting("n2/0", Integer.MAX_VALUE, Integer.MAX_VALUE);
        Counting failing = new Counting("n2/1", 2, 3);
        KIT.spawn(Tunnel.supervised(steady, PERIOD), Tunnel.actorName(steady));
        KIT.spawn(Tunnel.supervised(failing, PERIOD), Tunnel.actorName(failing));

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> failing.checks().get() >= 2);
        int steadyAtFailure = steady.checks().get();
        // The failing tunnel waits out its backoff (1 s, then 2 s); the steady one keeps its period.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> failing.checks().get() == 3);
        assertTrue(steady.checks().get() - steadyAtFailure >= 5,
                "the other tunnel kept checking during the first backoff: " + (steady.checks().get() - steadyAtFailure));
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> failing.checks().get() >= 10);
        assertEquals("tunnel-n2-1", Tunnel.actorName(failing));
    }
}
