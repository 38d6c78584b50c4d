package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both ends rekey and check liveness at random moments while the wire drops, duplicates and
 * reorders datagrams. Once the wire heals and time passes, the two must agree: both up with
 * one IKE SA and the same CHILD SAs, or both closed.
 */
class ChaosTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, Long.getLong("chaos.seeds", 40));
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void endsAgreeAfterALossyReorderingWire(long seed) {
        DhGroupPick pfs = new DhGroupPick(seed);
        BackToBack t = new BackToBack(
                a -> a.liveness(Duration.ofSeconds(20)).childPfs(pfs.group()),
                b -> b.liveness(Duration.ofSeconds(20)).childPfs(pfs.group()));
        if (seed % 4 == 0) {
            // Both ends start the tunnel at once (one yields, see Handshake).
            t.b.apply(t.b.session.start(t.now));
        }
        t.establish();
        SplittableRandom r = new SplittableRandom(seed);
        // A third of the runs lose four times as many datagrams.
        int lossEnd = seed % 3 == 0 ? 84 : 66;
        List<String> log = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            BackToBack.End e = r.nextBoolean() ? t.a : t.b;
            int action = r.nextInt(100);
            if (action < 6) {
                log.add(e.name + " rekeyChild");
                t.trace.add(e.name + " rekeyChild()");
                e.apply(e.session.rekeyChild(t.now));
            } else if (action < 9) {
                log.add(e.name + " rekeyIke");
                t.trace.add(e.name + " rekeyIke()");
                e.apply(e.session.rekeyIke(t.now));
            } else if (action < 11 && !e.installed.isEmpty() && r.nextInt(5) == 0) {
                int spi = new ArrayList<>(e.installed.keySet()).get(r.nextInt(e.installed.size()));
                log.add(e.name + " deleteChild");
                t.trace.add(e.name + " deleteChild(" + Integer.toHexString(spi) + ")");
                e.apply(e.session.deleteChild(spi, t.now));
            } else if (action < 60 && !e.inbox.isEmpty()) {
                // Mostly in order, sometimes a later datagram overtakes.
                int i = r.nextInt(10) == 0 ? r.nextInt(e.inbox.size()) : 0;
                List<byte[]> q = new ArrayList<>(e.inbox);
                byte[] m = q.remove(i);
                e.inbox.clear();
                e.inbox.addAll(q);
                log.add(e.name + " gets #" + i);
                t.trace.add(e.name + " <- " + BackToBack.describe(m));
                e.deliver(m);
            } else if (action < lossEnd && !e.inbox.isEmpty() && (action < 66 || r.nextInt(100) < 90)) {
                log.add(e.name + " loses one");
                t.trace.add(e.name + " lost " + BackToBack.describe(e.inbox.peek()));
                e.inbox.poll();
            } else if (action >= lossEnd && action < lossEnd + 4 && !e.inbox.isEmpty()) {
                log.add(e.name + " gets a duplicate");
                e.deliver(e.inbox.peek());
            } else {
                t.advance(Duration.ofMillis(50 + r.nextInt(1500)));
            }
        }
        // The wire heals.
        t.pass(Duration.ofMinutes(3), Duration.ofMillis(500));
        String story = String.join(", ", log) + "\na: " + t.a.session.closedReason() + " " + t.a.session.counters()
                + "\nb: " + t.b.session.closedReason() + " " + t.b.session.counters();
        assertEquals(0, t.a.count(IkeCounter.INTERNAL_ERRORS) + t.b.count(IkeCounter.INTERNAL_ERRORS), story);
        if (t.a.session.closed() || t.b.session.closed()) {
            assertTrue(t.a.session.closed() && t.b.session.closed(), () -> "only one end closed: " + story);
            assertTrue(t.a.installed.isEmpty() && t.b.installed.isEmpty(), story);
            return;
        }
        assertEquals(1, t.a.session.ikeSaCount(), story);
        assertEquals(1, t.b.session.ikeSaCount(), story);
        assertEquals(t.a.session.ikeSpis()[0], t.b.session.ikeSpis()[0], story);
        assertEquals(t.a.session.ikeSpis()[1], t.b.session.ikeSpis()[1], story);
        try {
            t.assertChildrenMatch(t.a.installed.size());
        } catch (AssertionError x) {
            throw new AssertionError(x.getMessage() + "\n" + story + "\n" + String.join("\n", t.trace), x);
        }
        // And it still works.
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(t.a.installed.size());
    }

    /** Half the seeds rekey CHILD SAs with PFS. */
    private record DhGroupPick(long seed) {
        dev.cipherlane.ipsec.ike.keys.DhGroup group() {
            return seed % 2 == 0 ? dev.cipherlane.ipsec.ike.keys.DhGroup.CURVE25519 : null;
        }
    }
}
