package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.IdPayload;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticationTest {
    private static final PreSharedKey WRONG = PreSharedKey.of("wrong".getBytes(StandardCharsets.US_ASCII));

    @Test
    void wrongPskIsRefusedByTheResponder() {
        IkeConfig a = IkeConfig.builder(BackToBack.A, BackToBack.B, WRONG)
                .selectors(List.of(BackToBack.ipip(BackToBack.A)), List.of(BackToBack.ipip(BackToBack.B))).build();
        BackToBack t = new BackToBack(a, BackToBack.configB().build(), 7, null);
        t.start();
        t.run();
        assertTrue(t.b.session.closed());
        assertEquals("authentication failed", t.b.session.closedReason().orElseThrow());
        assertTrue(t.a.session.closed());
        assertEquals("peer refused our authentication", t.a.session.closedReason().orElseThrow());
        assertEquals(1, t.a.count(IkeCounter.AUTH_FAILURES));
        assertEquals(1, t.b.count(IkeCounter.AUTH_FAILURES));
        assertTrue(t.a.installed.isEmpty() && t.b.installed.isEmpty());
        assertTrue(t.a.all(Effect.Established.class).isEmpty());
        assertTrue(t.b.all(Effect.Established.class).isEmpty());
    }

    @Test
    void unexpectedIdentityIsRefused() {
        Identity someone = Identity.of(new IdPayload(dev.cipherlane.ipsec.ike.message.Side.INITIATOR,
                IdPayload.ID_FQDN, Octets.of("other.example".getBytes(StandardCharsets.US_ASCII))));
        BackToBack t = new BackToBack(a -> a, b -> b.remoteId(someone));
        t.start();
        t.run();
        assertTrue(t.b.session.closed());
        assertTrue(t.a.session.closed());
        assertEquals(1, t.b.count(IkeCounter.AUTH_FAILURES));
    }

    @Test
    void configuredIdentitiesAreChecked() {
        Identity ida = Identity.of(new IdPayload(dev.cipherlane.ipsec.ike.message.Side.INITIATOR,
                IdPayload.ID_FQDN, Octets.of("node-a.example".getBytes(StandardCharsets.US_ASCII))));
        BackToBack t = new BackToBack(a -> a.localId(ida).remoteId(Identity.of(BackToBack.B.getAddress())),
                b -> b.remoteId(ida));
        t.establish();
        t.assertChildrenMatch(1);
    }
}
