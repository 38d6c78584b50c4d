package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whatever arrives, an input never throws, each bad datagram is counted, and the session still
 * works afterwards (RFC 7296 section 2.21: unauthenticated garbage changes nothing).
 */
class RobustnessTest {
    private static final int ROUNDS = 6000;

    /** Valid datagrams of this pair's own exchanges: establishment, a rekey, liveness. */
    private static List<byte[]> corpus(BackToBack t) {
        List<byte[]> seen = new ArrayList<>();
        t.a.tap = seen::add;
        t.b.tap = seen::add;
        t.establish();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.pass(Duration.ofSeconds(31), Duration.ofSeconds(1));
        t.a.tap = m -> { };
        t.b.tap = m -> { };
        return seen;
    }

    private static byte[] mutate(byte[] m, SplittableRandom r, List<byte[]> corpus) {
        byte[] x = m.clone();
        switch (r.nextInt(9)) {
            case 0 -> { // flip a few bits
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    int at = r.nextInt(x.length);
                    x[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> x = Arrays.copyOf(x, r.nextInt(x.length)); // truncate
            case 2 -> { // extend
                x = Arrays.copyOf(x, x.length + 1 + r.nextInt(64));
                for (int i = m.length; i < x.length; i++) {
                    x[i] = (byte) r.nextInt(256);
                }
            }
            case 3 -> x[r.nextInt(Math.min(28, x.length))] = (byte) r.nextInt(256); // a header byte
            case 4 -> { // random bytes of any length, some with a plausible IKE header length
                x = new byte[r.nextInt(2 * m.length + 1)];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (byte) r.nextInt(256);
                }
                if (x.length >= 28 && r.nextBoolean()) {
                    System.arraycopy(m, 0, x, 0, 28);
                    x[24] = (byte) (x.length >>> 24);
                    x[25] = (byte) (x.length >>> 16);
                    x[26] = (byte) (x.length >>> 8);
                    x[27] = (byte) x.length;
                }
            }
            case 5 -> { } // replayed verbatim
            case 6 -> { // the head of one message, the tail of another
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int cut = r.nextInt(Math.min(x.length, other.length) + 1);
                byte[] y = Arrays.copyOf(x, other.length);
                System.arraycopy(other, cut, y, cut, other.length - cut);
                x = y;
            }
            case 7 -> { // a byte in the SK body: the ICV must catch it
                int at = 28 + r.nextInt(Math.max(1, x.length - 28));
                if (at < x.length) {
                    x[at] = (byte) ~x[at];
                }
            }
            default -> { // message ID moved
                if (x.length >= 24) {
                    x[20 + r.nextInt(4)] += (byte) (1 + r.nextInt(3));
                }
            }
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void mutatedDatagramsLeaveTheSessionWorking(IkeSuite suite) {
        BackToBack t = new BackToBack(a -> a.ikeSuites(suite), b -> b.ikeSuites(suite));
        List<byte[]> corpus = corpus(t);
        assertTrue(corpus.size() >= 8, "corpus of " + corpus.size());
        SplittableRandom r = new SplittableRandom(20261208);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] x = mutate(corpus.get(r.nextInt(corpus.size())), r, corpus);
            (r.nextBoolean() ? t.a : t.b).deliver(x);
            // Whatever a session answered (a cached response, a stateless notify) is dropped.
            t.a.inbox.clear();
            t.b.inbox.clear();
        }
        assertTrue(t.a.session.established(), () -> "a: " + t.a.session.closedReason() + "\n" + t.a.session.counters());
        assertTrue(t.b.session.established(), () -> "b: " + t.b.session.closedReason() + "\n" + t.b.session.counters());
        long dropped = 0;
        for (IkeCounter c : List.of(IkeCounter.MALFORMED, IkeCounter.INTEGRITY_FAILURES, IkeCounter.UNKNOWN_SPI,
                IkeCounter.REPLAYS, IkeCounter.UNEXPECTED, IkeCounter.FUTURE_MESSAGE_ID,
                IkeCounter.DUPLICATE_REQUESTS, IkeCounter.UNSUPPORTED_VERSION, IkeCounter.UNSUPPORTED_CRITICAL)) {
            dropped += t.a.count(c) + t.b.count(c);
        }
        assertTrue(dropped >= ROUNDS * 9 / 10, () -> "counted " + t.a.session.counters() + t.b.session.counters());
        assertTrue(t.a.count(IkeCounter.INTEGRITY_FAILURES) + t.b.count(IkeCounter.INTEGRITY_FAILURES) > 100);
        assertTrue(t.a.count(IkeCounter.MALFORMED) + t.b.count(IkeCounter.MALFORMED) > 100);

        // Still fully working: a rekey with matching keys, liveness, and an orderly delete.
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        t.b.apply(t.b.session.rekeyIke(t.now));
        t.run();
        t.pass(Duration.ofSeconds(61), Duration.ofSeconds(1));
        assertTrue(t.a.session.established() && t.b.session.established());
        t.a.apply(t.a.session.delete(t.now));
        t.run();
        assertTrue(t.a.session.closed() && t.b.session.closed());
        t.assertChildrenMatch(0);
    }

    @Test
    void garbageBeforeEstablishmentChangesNothing() {
        BackToBack t = new BackToBack();
        SplittableRandom r = new SplittableRandom(3);
        BackToBack other = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), 11, null);
        List<byte[]> corpus = corpus(other);
        for (int i = 0; i < 500; i++) {
            t.b.deliver(mutate(corpus.get(r.nextInt(corpus.size())), r, corpus)); // an idle responder
        }
        t.a.inbox.clear();
        t.start();
        for (int i = 0; i < 500; i++) {
            t.a.deliver(mutate(corpus.get(r.nextInt(corpus.size())), r, corpus)); // an initiator awaiting IKE_SA_INIT
        }
        t.run();
        // Foreign messages may have started half-open SAs on b, but a's own establishment still works
        // unless b was taken; in that case b stays silent to a and a gives up. Both outcomes are
        // legal; what matters is that nothing threw and each datagram was counted.
        assertEquals(0, t.a.count(IkeCounter.INTERNAL_ERRORS) + t.b.count(IkeCounter.INTERNAL_ERRORS));
        assertTrue(t.a.session.established() || t.b.session.phase() != IkeSession.Phase.IDLE);
    }

    @Test
    void emptyAndTinyDatagramsAreMalformed() {
        BackToBack t = new BackToBack();
        t.establish();
        for (int n = 0; n < 28; n++) {
            t.a.deliver(new byte[n]);
        }
        assertEquals(28, t.a.count(IkeCounter.MALFORMED));
        assertTrue(t.a.session.established());
    }
}
