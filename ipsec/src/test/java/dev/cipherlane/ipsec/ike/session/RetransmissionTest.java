package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetransmissionTest {
    private static final Duration MS = Duration.ofMillis(1);

    @Test
    void droppedInitRequestIsSentAgain() {
        BackToBack t = new BackToBack();
        t.start();
        t.b.inbox.clear();
        t.advance(Duration.ofMillis(499));
        assertTrue(t.b.inbox.isEmpty(), "not before the 0.5 s timeout");
        t.advance(MS);
        assertEquals(1, t.b.inbox.size());
        assertEquals(1, t.a.count(IkeCounter.RETRANSMISSIONS));
        t.run();
        assertTrue(t.a.session.established() && t.b.session.established());
        t.assertChildrenMatch(1);
    }

    @Test
    void droppedAuthResponseIsAnsweredFromTheCache() {
        BackToBack t = new BackToBack();
        t.start();
        t.b.deliverOne(); // IKE_SA_INIT
        t.a.deliverOne(); // its response; a sends IKE_AUTH
        t.b.deliverOne(); // IKE_AUTH: b is up
        assertTrue(t.b.session.established());
        t.a.inbox.clear(); // the response is lost
        t.advance(Duration.ofMillis(500));
        t.run();
        assertTrue(t.a.session.established());
        assertEquals(1, t.a.count(IkeCounter.RETRANSMISSIONS));
        assertEquals(1, t.b.count(IkeCounter.DUPLICATE_REQUESTS));
        assertEquals(1, t.b.all(Effect.InstallChildSa.class).size(), "the retransmission made no second SA");
        t.assertChildrenMatch(1);
    }

    @Test
    void droppedInitResponseIsAnsweredFromTheCache() {
        BackToBack t = new BackToBack();
        t.start();
        t.b.deliverOne();
        t.a.inbox.clear();
        t.advance(Duration.ofMillis(500));
        t.run();
        assertEquals(1, t.b.count(IkeCounter.DUPLICATE_REQUESTS));
        t.assertChildrenMatch(1);
    }

    @Test
    void backoffDoublesUpToTheCapThenGivesUp() {
        BackToBack t = new BackToBack(a -> a.retransmit(Duration.ofMillis(500), Duration.ofSeconds(2), 5), b -> b);
        long t0 = t.now;
        List<Long> sentAt = new ArrayList<>();
        t.a.tap = m -> sentAt.add((t.now - t0) / 1_000_000);
        t.start();
        for (int i = 0; i < 10_000 && !t.a.session.closed(); i++) {
            t.b.inbox.clear();
            t.advance(Duration.ofMillis(10));
        }
        // 0.5, 1, 2, then capped at 2 s: sent at 0, 0.5, 1.5, 3.5, 5.5; given up at 7.5 s.
        assertEquals(List.of(0L, 500L, 1500L, 3500L, 5500L), sentAt);
        assertEquals("peer not responding", t.a.session.closedReason().orElseThrow());
        assertEquals(7500, (t.now - t0) / 1_000_000);
        assertEquals(4, t.a.count(IkeCounter.RETRANSMISSIONS));
    }

    @Test
    void duplicateRequestIsAnsweredFromTheCacheAndOlderOnesAreDropped() {
        BackToBack t = new BackToBack(a -> a.liveness(Duration.ofSeconds(10)), b -> b.liveness(Duration.ofHours(1)));
        List<byte[]> sentByA = new ArrayList<>();
        t.a.tap = sentByA::add;
        t.establish();
        byte[] authRequest = sentByA.get(1);
        t.advance(Duration.ofSeconds(10)); // a checks liveness
        byte[] liveness = t.b.inbox.peek();
        t.b.inbox.add(liveness); // delivered twice
        t.run();
        assertEquals(1, t.b.count(IkeCounter.DUPLICATE_REQUESTS));
        assertEquals(1, t.a.count(IkeCounter.REPLAYS), "the second answer matched nothing outstanding");
        t.b.deliver(authRequest); // two requests old
        assertEquals(1, t.b.count(IkeCounter.REPLAYS));
        assertTrue(t.a.inbox.isEmpty(), "an old request gets no answer");
        assertTrue(t.a.session.established() && t.b.session.established());
        t.assertChildrenMatch(1);
    }

    @Test
    void droppedRequestInAnEstablishedSaIsSentAgain() {
        BackToBack t = new BackToBack();
        t.establish();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.b.inbox.clear();
        t.advance(Duration.ofMillis(500));
        t.run();
        assertEquals(1, t.a.count(IkeCounter.RETRANSMISSIONS));
        assertEquals(1, t.a.count(IkeCounter.CHILD_REKEYS));
        t.assertChildrenMatch(1);
        assertFalse(t.a.session.closed());
    }
}
