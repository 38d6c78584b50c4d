package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InformationalTest {
    @Test
    void deletingTheChildSaRemovesItOnBothEnds() {
        BackToBack t = new BackToBack();
        t.establish();
        int spi = t.a.installed.keySet().iterator().next();
        t.a.apply(t.a.session.deleteChild(spi, t.now));
        t.run();
        t.assertChildrenMatch(0);
        assertEquals(1, t.a.all(Effect.RemoveChildSa.class).size());
        assertEquals(1, t.b.all(Effect.RemoveChildSa.class).size());
        assertTrue(t.a.session.established() && t.b.session.established(), "the IKE SA stays");
    }

    @Test
    void crossingChildDeletesBothComplete() {
        BackToBack t = new BackToBack();
        t.establish();
        ChildSa child = t.a.installed.values().iterator().next();
        t.a.apply(t.a.session.deleteChild(child.inboundSpi(), t.now));
        t.b.apply(t.b.session.deleteChild(child.outboundSpi(), t.now));
        t.run();
        t.assertChildrenMatch(0);
        assertTrue(t.a.session.established() && t.b.session.established());
    }

    @Test
    void deletingTheIkeSaClosesBothEnds() {
        BackToBack t = new BackToBack();
        t.establish();
        t.a.apply(t.a.session.delete(t.now));
        t.run();
        assertEquals("deleted", t.a.session.closedReason().orElseThrow());
        assertEquals("deleted by peer", t.b.session.closedReason().orElseThrow());
        t.assertChildrenMatch(0);
        assertTrue(t.a.session.tick(t.now + 1_000_000_000_000L).isEmpty(), "a closed session does nothing");
    }

    @Test
    void theResponderCanDeleteToo() {
        BackToBack t = new BackToBack();
        t.establish();
        t.b.apply(t.b.session.delete(t.now));
        t.run();
        assertTrue(t.a.session.closed() && t.b.session.closed());
        t.assertChildrenMatch(0);
    }

    @Test
    void livenessCheckKeepsAnAnsweringPeer() {
        BackToBack t = new BackToBack(a -> a.liveness(Duration.ofSeconds(10)), b -> b.liveness(Duration.ofSeconds(10)));
        t.establish();
        t.pass(Duration.ofSeconds(65), Duration.ofMillis(250));
        assertTrue(t.a.count(IkeCounter.LIVENESS_CHECKS) >= 3);
        assertTrue(t.a.session.established() && t.b.session.established());
        t.assertChildrenMatch(1);
    }

    @Test
    void silentPeerIsDeclaredDead() {
        BackToBack t = new BackToBack(
                a -> a.liveness(Duration.ofSeconds(10)).retransmit(Duration.ofMillis(500), Duration.ofSeconds(2), 4),
                b -> b.liveness(Duration.ofHours(1)));
        t.establish();
        t.b.mute = true;
        t.pass(Duration.ofSeconds(20), Duration.ofMillis(100));
        assertEquals("dead peer", t.a.session.closedReason().orElseThrow());
        assertEquals(0, t.a.installed.size(), "its CHILD SAs were removed");
        assertEquals(3, t.a.count(IkeCounter.RETRANSMISSIONS));
        assertFalse(t.b.session.closed());
    }
}
