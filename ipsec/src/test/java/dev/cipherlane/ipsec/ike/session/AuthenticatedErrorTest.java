package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.message.ExchangeType;
import dev.cipherlane.ipsec.ike.message.PayloadType;
import org.junit.jupiter.api.Test;

/**
 * Section 2.21.1: an authentic request with broken contents is answered with an encrypted
 * error notify, consumes its message ID, and leaves the IKE SA as it was.
 */
class AuthenticatedErrorTest {
    @Test
    void malformedInnerPayloadsAreAnsweredWithInvalidSyntax() {
        BackToBack t = new BackToBack();
        t.establish();
        // A Notify payload whose generic header claims more bytes than follow.
        byte[] forged = t.b.session.sealedRequest(ExchangeType.INFORMATIONAL, PayloadType.NOTIFY,
                new byte[] {0, 0, 0, 40, 1, 2});
        t.a.deliver(forged);
        assertEquals(1, t.a.count(IkeCounter.INVALID_SYNTAX));
        assertEquals(1, t.b.inbox.size(), "a answered");
        t.b.deliverOne(); // b was waiting for nothing: a response to no request
        assertEquals(1, t.b.count(IkeCounter.REPLAYS));
        // The message ID was used up: b's next real request goes through.
        t.b.apply(t.b.session.rekeyChild(t.now));
        t.run();
        t.assertChildrenMatch(1);
        assertEquals(1, t.b.count(IkeCounter.CHILD_REKEYS));
        assertTrue(t.a.session.established() && t.b.session.established());
    }

    @Test
    void unknownCriticalInnerPayloadIsReported() {
        BackToBack t = new BackToBack();
        t.establish();
        // One empty payload of type 250 with the critical bit set (section 2.5).
        byte[] forged = t.b.session.sealedRequest(ExchangeType.INFORMATIONAL, 250, new byte[] {0, (byte) 0x80, 0, 4});
        t.a.deliver(forged);
        assertEquals(1, t.a.count(IkeCounter.UNSUPPORTED_CRITICAL));
        assertEquals(1, t.b.inbox.size());
        t.b.inbox.clear();
        t.b.apply(t.b.session.rekeyIke(t.now));
        t.run();
        assertTrue(t.a.session.established() && t.b.session.established());
        assertEquals(1, t.a.count(IkeCounter.IKE_REKEYS));
    }

    @Test
    void unknownExchangeTypeIsDroppedAndCounted() {
        BackToBack t = new BackToBack();
        t.establish();
        byte[] forged = t.b.session.sealedRequest(99, PayloadType.NONE, new byte[0]);
        t.a.deliver(forged);
        assertEquals(1, t.a.count(IkeCounter.UNEXPECTED));
        assertTrue(t.b.inbox.isEmpty());
        assertTrue(t.a.session.established());
    }
}
