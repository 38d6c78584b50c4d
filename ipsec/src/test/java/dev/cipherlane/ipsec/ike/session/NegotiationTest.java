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

    /**
     * A gateway's way: the initiator proposes one address against a pod prefix, the responder
     * allows two wider prefixes; the responder answers with what both take (section 2.9), and
     * the initiator installs that.
     */
    @Test
    void aNarrowerProposalIsAnsweredWithWhatBothSidesTake() {
        var a = prefix("10.1.2.11", "10.1.2.11");
        var aCidr = prefix("10.1.2.0", "10.1.2.255");
        var bCidr = prefix("10.1.1.0", "10.1.1.255");
        var bWider = prefix("10.1.0.0", "10.1.1.127");
        BackToBack t = new BackToBack(x -> x.selectors(List.of(a), List.of(bCidr)),
                y -> y.selectors(List.of(bWider), List.of(aCidr)));
        t.establish();
        ChildSa ours = t.a.installed.values().iterator().next();
        assertEquals(List.of(a), ours.localSelectors(), "the initiator's own narrow side, as proposed");
        assertEquals(List.of(prefix("10.1.1.0", "10.1.1.127")), ours.remoteSelectors(), "what both allow");
        ChildSa theirs = t.b.installed.values().iterator().next();
        assertEquals(ours.localSelectors(), theirs.remoteSelectors());
        assertEquals(ours.remoteSelectors(), theirs.localSelectors());
        t.assertChildrenMatch(1);
    }

    @Test
    void selectorsThatMeetNowhereAreRefused() {
        var a = prefix("10.1.2.0", "10.1.2.255");
        BackToBack t = new BackToBack(x -> x.selectors(List.of(a), List.of(prefix("10.1.1.0", "10.1.1.255"))),
                y -> y.selectors(List.of(prefix("10.1.9.0", "10.1.9.255")), List.of(a)));
        t.start();
        t.run();
        assertTrue(t.a.installed.isEmpty() && t.b.installed.isEmpty());
        assertEquals("CHILD SA refused: TS_UNACCEPTABLE", t.a.session.closedReason().orElseThrow());
    }

    @Test
    void intersectionKeepsTheCommonProtocolPortsAndAddresses() {
        var any = dev.cipherlane.ipsec.ike.message.TrafficSelector.range(0, 0, 65535,
                BackToBack.endpoint("10.0.0.0", 0).getAddress(), BackToBack.endpoint("10.0.0.255", 0).getAddress());
        var tcp = dev.cipherlane.ipsec.ike.message.TrafficSelector.range(6, 80, 443,
                BackToBack.endpoint("10.0.0.128", 0).getAddress(), BackToBack.endpoint("10.0.1.5", 0).getAddress());
        var both = Selectors.intersect(any, tcp).orElseThrow();
        assertEquals(6, both.ipProtocol());
        assertEquals(80, both.startPort());
        assertEquals(443, both.endPort());
        assertEquals(prefix("10.0.0.128", "10.0.0.255").startAddress(), both.startAddress());
        assertEquals(prefix("10.0.0.128", "10.0.0.255").endAddress(), both.endAddress());
        var udp = dev.cipherlane.ipsec.ike.message.TrafficSelector.range(17, BackToBack.endpoint("10.0.0.1", 0)
                .getAddress(), BackToBack.endpoint("10.0.0.1", 0).getAddress());
        assertTrue(Selectors.intersect(tcp, udp).isEmpty(), "two protocols take nothing in common");
        var v6 = dev.cipherlane.ipsec.ike.message.TrafficSelector.range(0, BackToBack.endpoint("fd00::", 0).getAddress(),
                BackToBack.endpoint("fd00::ff", 0).getAddress());
        assertTrue(Selectors.intersect(any, v6).isEmpty(), "two families take nothing in common");
    }

    private static dev.cipherlane.ipsec.ike.message.TrafficSelector prefix(String first, String last) {
        return dev.cipherlane.ipsec.ike.message.TrafficSelector.range(0, BackToBack.endpoint(first, 0).getAddress(),
                BackToBack.endpoint(last, 0).getAddress());
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

    /**
     * PFS in a group the responder does not take: the rekey lists every group we accept beside
     * the KE's, so the responder asks for one of those with INVALID_KE_PAYLOAD, and the retry
     * in it succeeds; the old pair carries traffic until then.
     */
    @Test
    void pfsInAGroupTheResponderRefusesIsRetriedInOneItTakes() {
        BackToBack t = new BackToBack(a -> a.childPfs(DhGroup.MODP_2048),
                b -> b.groups(DhGroup.CURVE25519, DhGroup.ECP_256));
        t.establish();
        long before = t.a.count(IkeCounter.INVALID_KE_RETRIES);
        ChildSa old = t.a.installed.values().iterator().next();
        t.a.apply(t.a.session.rekeyChild(t.now));
        t.run();
        assertEquals(before + 1, t.a.count(IkeCounter.INVALID_KE_RETRIES));
        assertEquals(0, t.a.count(IkeCounter.REKEY_FAILURES));
        assertEquals(1, t.a.count(IkeCounter.CHILD_REKEYS));
        assertFalse(t.a.installed.containsKey(old.inboundSpi()), "the old pair went");
        t.assertChildrenMatch(1);
        assertTrue(t.a.session.established());
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
