package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import dev.cipherlane.ipsec.ike.message.DecodeResult;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EstablishTest {
    @ParameterizedTest
    @EnumSource(DhGroup.class)
    void establishesInEachGroup(DhGroup group) {
        BackToBack t = new BackToBack(a -> a.groups(group), b -> b.groups(group));
        t.establish();
        t.assertChildrenMatch(1);
        Effect.Established ea = t.a.all(Effect.Established.class).getFirst();
        Effect.Established eb = t.b.all(Effect.Established.class).getFirst();
        assertEquals(group, ea.group());
        assertEquals(ea, eb);
        assertEquals(IkeSuite.AES_GCM_16_256, ea.suite());
    }

    @ParameterizedTest
    @EnumSource(IkeSuite.class)
    void establishesWithEachIkeSuite(IkeSuite suite) {
        BackToBack t = new BackToBack(a -> a, b -> b.ikeSuites(suite));
        t.establish();
        t.assertChildrenMatch(1);
        assertEquals(suite, t.a.all(Effect.Established.class).getFirst().suite());
    }

    @Test
    void defaultsPreferX25519AndAead() {
        BackToBack t = new BackToBack();
        t.establish();
        Effect.Established e = t.a.all(Effect.Established.class).getFirst();
        assertEquals(DhGroup.CURVE25519, e.group());
        assertEquals(IkeSuite.AES_GCM_16_256, e.suite());
        // Four messages: IKE_SA_INIT and IKE_AUTH, one round trip each.
        assertEquals(2, t.a.all(Effect.Send.class).size());
        assertEquals(2, t.b.all(Effect.Send.class).size());
        ChildSa child = t.a.installed.values().iterator().next();
        assertFalse(child.esn());
        assertEquals(List.of(BackToBack.ipip(BackToBack.A)), child.localSelectors());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "seed={0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void bothEndsStartingAtOnceEndWithOneIkeSa(long seed) {
        BackToBack t = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), seed, null);
        t.a.apply(t.a.session.start(t.now));
        t.b.apply(t.b.session.start(t.now));
        t.run();
        assertTrue(t.a.session.established() && t.b.session.established());
        assertEquals(1, t.a.count(IkeCounter.INIT_COLLISIONS) + t.b.count(IkeCounter.INIT_COLLISIONS));
        assertEquals(t.a.session.ikeSpis()[0], t.b.session.ikeSpis()[0]);
        assertEquals(t.a.session.ikeSpis()[1], t.b.session.ikeSpis()[1]);
        t.assertChildrenMatch(1);
        // Late retransmissions of the abandoned request change nothing.
        t.pass(java.time.Duration.ofSeconds(40), java.time.Duration.ofMillis(250));
        assertTrue(t.a.session.established() && t.b.session.established());
        t.assertChildrenMatch(1);
    }

    @Test
    void esnOnlyWhenBothOfferIt() {
        BackToBack both = new BackToBack(a -> a.offerEsn(true), b -> b.offerEsn(true));
        both.establish();
        assertTrue(both.a.installed.values().iterator().next().esn());
        both.assertChildrenMatch(1);

        BackToBack one = new BackToBack(a -> a.offerEsn(true), b -> b);
        one.establish();
        assertFalse(one.a.installed.values().iterator().next().esn());
        one.assertChildrenMatch(1);
    }

    @Test
    void noNatBetweenConfiguredAddresses() {
        BackToBack t = new BackToBack();
        t.establish();
        assertEquals(new Effect.NatStatus(false, false), t.a.all(Effect.NatStatus.class).getFirst());
        assertEquals(new Effect.NatStatus(false, false), t.b.all(Effect.NatStatus.class).getFirst());
    }

    @Test
    void natDetectedWhenTheSourceWasRewritten() {
        BackToBack t = new BackToBack();
        t.start();
        byte[] request = t.b.inbox.poll();
        // A NAT in front of a rewrote its source to 198.51.100.7:40000.
        var natted = BackToBack.endpoint("198.51.100.7", 40000);
        t.b.apply(t.b.session.receive(request, natted, BackToBack.B, t.now));
        assertEquals(new Effect.NatStatus(false, true), t.b.all(Effect.NatStatus.class).getFirst());
        assertTrue(t.b.all(Effect.NatStatus.class).getFirst().floatTo4500());
        byte[] response = t.a.inbox.poll();
        t.a.apply(t.a.session.receive(response, BackToBack.B, BackToBack.A, t.now));
        assertEquals(new Effect.NatStatus(true, false), t.a.all(Effect.NatStatus.class).getFirst());
    }

    @Test
    void initiatorSendsInitialContact() {
        BackToBack with = new BackToBack();
        with.establish();
        BackToBack without = new BackToBack(a -> a.initialContact(false), b -> b);
        without.establish();
        // IKE_AUTH is encrypted; the notify shows as its 8 bytes (section 3.10, no SPI, no data).
        int withLength = with.a.all(Effect.Send.class).get(1).message().length;
        int withoutLength = without.a.all(Effect.Send.class).get(1).message().length;
        assertEquals(8, withLength - withoutLength);
        assertEquals(1, with.b.all(Effect.PeerInitialContact.class).size());
        assertTrue(without.b.all(Effect.PeerInitialContact.class).isEmpty());
    }

    @Test
    void routesNewSaRequestsApartFromMessagesOfExistingSas() {
        BackToBack t = new BackToBack();
        t.start();
        byte[] init = t.b.inbox.peek();
        long spiI = t.a.session.ikeSpis()[0];
        assertEquals(new IkeRoute.NewSa(spiI), IkeRoute.of(init));
        t.run();
        long[] spis = t.a.session.ikeSpis();
        byte[] auth = t.a.all(Effect.Send.class).get(1).message();
        assertEquals(new IkeRoute.ExistingSa(spis[0], spis[1]), IkeRoute.of(auth));
        assertEquals(new IkeRoute.Invalid(), IkeRoute.of(new byte[27]));
    }

    @Test
    void noCommonProposalCloses() {
        BackToBack t = new BackToBack(a -> a.ikeSuites(IkeSuite.AES_CBC_256_HMAC_SHA2_256_128),
                b -> b.ikeSuites(IkeSuite.AES_GCM_16_256));
        t.start();
        t.run();
        assertTrue(t.a.session.closed());
        assertEquals(1, t.b.count(IkeCounter.NO_PROPOSAL_CHOSEN));
        assertFalse(t.b.session.closed(), "a responder refusing statelessly stays ready");
    }

    @Test
    void invalidKePayloadRetriesInTheGroupAskedFor() {
        BackToBack t = new BackToBack(a -> a, b -> b.groups(DhGroup.MODP_2048));
        t.start();
        t.b.deliverOne();
        byte[] refusal = t.a.inbox.peek();
        t.run();
        assertTrue(t.a.session.established());
        assertEquals(1, t.b.count(IkeCounter.INVALID_KE_SENT));
        assertEquals(1, t.a.count(IkeCounter.INVALID_KE_RETRIES));
        assertEquals(DhGroup.MODP_2048, t.a.all(Effect.Established.class).getFirst().group());
        t.assertChildrenMatch(1);
        // The refusal is a plain IKE_SA_INIT response naming group 14 (section 1.2).
        IkeMessage m = ((DecodeResult.Decoded) IkeMessage.decode(refusal, 65535)).message();
        assertEquals(0, m.header().responderSpi());
        assertEquals(Octets.of((byte) 0, (byte) 14), m.notify(NotifyType.INVALID_KE_PAYLOAD).orElseThrow().data());
    }
}
