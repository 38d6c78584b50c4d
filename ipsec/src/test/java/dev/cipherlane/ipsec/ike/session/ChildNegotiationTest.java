package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.DhGroup;
import dev.cipherlane.ipsec.ike.keys.IkeKeys;
import dev.cipherlane.ipsec.ike.keys.IkeSuite;
import dev.cipherlane.ipsec.ike.keys.KeyExchange;
import dev.cipherlane.ipsec.ike.keys.Prf;
import dev.cipherlane.ipsec.ike.keys.SharedSecret;
import dev.cipherlane.ipsec.ike.message.KePayload;
import dev.cipherlane.ipsec.ike.message.NotifyPayload;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.Payload;
import dev.cipherlane.ipsec.ike.message.Proposal;
import dev.cipherlane.ipsec.ike.message.SaPayload;
import dev.cipherlane.ipsec.ike.message.Side;
import dev.cipherlane.ipsec.ike.message.Transform;
import dev.cipherlane.ipsec.ike.message.TrafficSelectorPayload;
import dev.cipherlane.ipsec.ike.message.TransformId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The responder's half against requests our own initiator never sends but peers may. */
class ChildNegotiationTest {
    private static final ChildNegotiation.Terms TERMS = new ChildNegotiation.Terms(false,
            List.of(DhGroup.CURVE25519, DhGroup.MODP_2048), List.of(BackToBack.ipip(BackToBack.B)),
            List.of(BackToBack.ipip(BackToBack.A)));

    private static IkeKeys keys() {
        byte[] n = new byte[32];
        return IkeKeys.derive(IkeSuite.AES_GCM_16_256, Prf.HMAC_SHA2_256, SharedSecret.of(new byte[32]), n, n,
                new byte[8], new byte[] {0, 0, 0, 0, 0, 0, 0, 1});
    }

    /** A rekey request whose one ESP proposal lists two KE groups, with KEi in {@code ke}. */
    private static List<Payload> request(DhGroup ke) {
        Proposal p = Proposal.esp(1, 0x1234_5678,
                Transform.of(Transform.ENCR, TransformId.ENCR_AES_GCM_16, 256),
                Transform.of(Transform.KE, DhGroup.MODP_2048.transformId()),
                Transform.of(Transform.KE, DhGroup.CURVE25519.transformId()),
                Transform.of(Transform.ESN, TransformId.NO_ESN));
        KeyExchange k = KeyExchange.generate(ke, BackToBack.random(1));
        return List.of(SaPayload.of(p), new KePayload(ke.transformId(), Octets.of(k.publicValue())),
                TrafficSelectorPayload.of(Side.INITIATOR, BackToBack.ipip(BackToBack.A)),
                TrafficSelectorPayload.of(Side.RESPONDER, BackToBack.ipip(BackToBack.B)));
    }

    @Test
    void theKeGroupSentIsTakenWhenAcceptableEvenIfNotOurFirstChoice() {
        var answer = ChildNegotiation.answer(request(DhGroup.MODP_2048), TERMS, true, keys(), new byte[32],
                new byte[32], 0x1000, BackToBack.random(2));
        var accepted = assertInstanceOf(ChildNegotiation.Answer.Accepted.class, answer);
        KePayload ker = accepted.payloads().stream().filter(KePayload.class::isInstance).map(KePayload.class::cast)
                .findFirst().orElseThrow();
        assertEquals(DhGroup.MODP_2048.transformId(), ker.group());
        assertEquals(0x1234_5678, accepted.sa().outboundSpi());
    }

    @Test
    void aKeGroupWeDoNotAcceptGetsInvalidKePayloadNamingOurs() {
        ChildNegotiation.Terms only25519 = new ChildNegotiation.Terms(false, List.of(DhGroup.CURVE25519),
                TERMS.local(), TERMS.remote());
        var answer = ChildNegotiation.answer(request(DhGroup.MODP_2048), only25519, true, keys(), new byte[32],
                new byte[32], 0x1000, BackToBack.random(2));
        NotifyPayload n = assertInstanceOf(ChildNegotiation.Answer.Refused.class, answer).error();
        assertEquals(NotifyType.INVALID_KE_PAYLOAD, n.notifyType());
        assertEquals(Octets.of((byte) 0, (byte) 31), n.data());
    }

    @Test
    void withoutSelectorsTheRequestIsInvalidSyntax() {
        List<Payload> broken = request(DhGroup.CURVE25519).subList(0, 2);
        var answer = ChildNegotiation.answer(broken, TERMS, true, keys(), new byte[32], new byte[32], 0x1000,
                BackToBack.random(2));
        var refused = assertInstanceOf(ChildNegotiation.Answer.Refused.class, answer);
        assertEquals(NotifyType.INVALID_SYNTAX, refused.error().notifyType());
        assertTrue(refused.counted() == IkeCounter.INVALID_SYNTAX);
    }
}
