package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.message.DecodeResult;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proposals and selectors that do not fit, and what each end does about it. */
class NegotiationTest {
    @Test
    void selectorsTheResponderCannotAcceptLeaveNoChildAndEndTheIkeSa() {
        var elsewhere = BackToBack.endpoint("203.0.113.9", 500);
        BackToBack t = new BackToBack(a -> a,
                b -> b.selectors(List.of(BackToBack.ipip(BackToBack.B)), List.of(BackToBack.ipip(elsewhere))));
        t.start();
        t.run();
        assertTrue(t.a.installed.isEmpty() && t.b.installed.isEmpty());
        assertEquals("CHILD SA refused: TS_UNACCEPTABLE", t.a.session.closedReason().orElseThrow());
        assertEquals("deleted by peer", t.b.session.closedReason().orElseThrow());
    }

    @Test
    void wideSelectorsOfTheInitiatorAreNarrowedToTheResponders() {
        var any = BackToBack.endpoint("0.0.0.0", 0);
        var all = BackToBack.endpoint("255.255.255.255", 0);
        var wide = dev.cipherlane.ipsec.ike.message.TrafficSelector.range(0, any.getAddress(), all.getAddress());
        BackToBack t = new BackToBack(a -> a.selectors(List.of(wide), List.of(wide)), b -> b);
        t.establish();
        ChildSa child = t.a.installed.values().iterator().next();
        assertEquals(List.of(BackToBack.ipip(BackToBack.A)), child.localSelectors());
        assertEquals(List.of(BackToBack.ipip(BackToBack.B)), child.remoteSelectors());
        t.assertChildrenMatch(1);
    }

    @Test
    void pfsWantedByTheInitiatorOnlyIsStillAgreed() {
        BackToBack t = new BackToBack(a -> a.childPfs(DhGroup.ECP_256), b -> b);
        t.establish();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        assertEquals(1, t.a.count(IkeCounter.CHILD_REKEYS));
        assertEquals(0, t.a.count(IkeCounter.REKEY_FAILURES));
    }

    @Test
    void pfsInAGroupTheResponderRefusesFailsTheRekeyButKeepsTheOldSa() {
        BackToBack t = new BackToBack(a -> a.childPfs(DhGroup.MODP_2048),
                b -> b.groups(DhGroup.CURVE25519, DhGroup.ECP_256));
        t.establish();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        assertEquals(1, t.a.count(IkeCounter.REKEY_FAILURES));
        t.assertChildrenMatch(1);
        assertTrue(t.a.session.established());
    }

    @Test
    void refusedLifetimeRekeysAreRetriedAtTheRetransmissionCapNotHammered() {
        var child = java.time.Duration.ofMinutes(10);
        BackToBack t = new BackToBack(a -> a.childPfs(DhGroup.MODP_2048).lifetimes(java.time.Duration.ofHours(4), child)
                        .jitter(0),
                b -> b.groups(DhGroup.CURVE25519, DhGroup.ECP_256).lifetimes(java.time.Duration.ofHours(4),
                        java.time.Duration.ofHours(1)));
        t.establish();
        t.pass(child.minusSeconds(1), java.time.Duration.ofSeconds(1));
        assertEquals(0, t.a.count(IkeCounter.REKEY_FAILURES));
        t.pass(java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(1));
        // One try at the soft lifetime, then one per 8 s cap: 8 in the minute, not 60.
        long failures = t.a.count(IkeCounter.REKEY_FAILURES);
        assertTrue(failures >= 7 && failures <= 9, "rekey failures " + failures);
    }

    @Test
    void unknownCriticalPayloadInIkeSaInitIsReported() {
        BackToBack t = new BackToBack();
        t.start();
        byte[] request = withCriticalPayload(t.b.inbox.poll(), 200);
        t.b.deliver(request);
        IkeMessage answer = ((DecodeResult.Decoded) IkeMessage.decode(t.a.inbox.poll(), 65535)).message();
        assertEquals(Octets.of((byte) 0, (byte) 200),
                answer.notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD).orElseThrow().data());
        assertEquals(1, t.b.count(IkeCounter.UNSUPPORTED_CRITICAL));
        assertEquals(IkeSession.Phase.IDLE, t.b.session.phase());
        assertFalse(t.b.session.halfOpen());
    }

    @Test
    void responderIsHalfOpenBetweenTheTwoExchanges() {
        BackToBack t = new BackToBack();
        t.start();
        t.b.deliverOne();
        assertTrue(t.b.session.halfOpen());
        t.run();
        assertFalse(t.b.session.halfOpen());
    }

    @Test
    void halfOpenResponderGivesUpWithoutIkeAuth() {
        BackToBack t = new BackToBack();
        t.start();
        t.b.deliverOne();
        t.a.inbox.clear();
        t.a.mute = true;
        t.pass(java.time.Duration.ofMinutes(2), java.time.Duration.ofSeconds(1));
        assertEquals("IKE_AUTH never came", t.b.session.closedReason().orElseThrow());
    }

    /** Appends an empty payload of an unknown type with the critical bit (section 2.5). */
    private static byte[] withCriticalPayload(byte[] m, int type) {
        int at = 28;
        int next = m[16] & 0xFF;
        int last = 16;
        while (next != 0) {
            last = at;
            next = m[at] & 0xFF;
            at += (m[at + 2] & 0xFF) << 8 | m[at + 3] & 0xFF;
        }
        byte[] x = Arrays.copyOf(m, m.length + 4);
        x[last] = (byte) type;
        x[m.length] = 0;
        x[m.length + 1] = (byte) 0x80;
        x[m.length + 3] = 4;
        x[27] = (byte) x.length;
        x[26] = (byte) (x.length >>> 8);
        return x;
    }
}
