package dev.cipherlane.ipsec.ike.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.ike.message.DecodeResult;
import dev.cipherlane.ipsec.ike.message.IkeMessage;
import dev.cipherlane.ipsec.ike.message.NotifyType;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CookieTest {
    @Test
    void cookieRoundTripUnderLoad() {
        AtomicInteger halfOpen = new AtomicInteger(100);
        CookieJar jar = new CookieJar(BackToBack.random(99), halfOpen::get, 10);
        BackToBack t = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), 7, jar);
        t.start();
        t.b.deliverOne();
        // The first answer is a COOKIE and nothing else, from a responder that kept no state.
        IkeMessage answer = ((DecodeResult.Decoded) IkeMessage.decode(t.a.inbox.peek(), 65535)).message();
        assertEquals(1, answer.payloads().size());
        assertTrue(answer.notify(NotifyType.COOKIE).isPresent());
        assertEquals(IkeSession.Phase.IDLE, t.b.session.phase());
        t.run();
        assertTrue(t.a.session.established());
        assertTrue(t.b.session.established());
        assertEquals(1, t.b.count(IkeCounter.COOKIES_SENT));
        assertEquals(1, t.a.count(IkeCounter.COOKIE_RETRIES));
        t.assertChildrenMatch(1);
    }

    @Test
    void noCookieWhenNotUnderLoad() {
        CookieJar jar = new CookieJar(BackToBack.random(99), () -> 3, 10);
        BackToBack t = new BackToBack(BackToBack.configA().build(), BackToBack.configB().build(), 7, jar);
        t.establish();
        assertEquals(0, t.b.count(IkeCounter.COOKIES_SENT));
    }

    @Test
    void cookiesAreBoundToNonceAddressAndSpiAndSurviveOneRotation() throws Exception {
        CookieJar jar = new CookieJar(BackToBack.random(5), () -> 0, 0);
        assertTrue(jar.underLoad());
        Octets ni = Octets.of(new byte[32]);
        InetAddress ip = InetAddress.getByName("192.0.2.1");
        Octets c = jar.issue(ni, ip, 42);
        assertTrue(jar.valid(c, ni, ip, 42));
        assertFalse(jar.valid(c, ni, ip, 43));
        assertFalse(jar.valid(c, ni, InetAddress.getByName("192.0.2.9"), 42));
        assertFalse(jar.valid(c, Octets.of(new byte[31]), ip, 42));
        assertFalse(jar.valid(Octets.of((byte) 1, (byte) 2), ni, ip, 42));
        jar.rotate();
        assertTrue(jar.valid(c, ni, ip, 42), "a cookie from just before a rotation still counts");
        jar.rotate();
        assertFalse(jar.valid(c, ni, ip, 42), "two rotations later it does not");
    }

    /** A demanding view asks always, and shares the jar's secrets: each takes the other's cookies. */
    @Test
    void aDemandingViewSharesTheSecretsAndAlwaysAsks() throws Exception {
        CookieJar jar = new CookieJar(BackToBack.random(5), () -> 0, 16);
        CookieJar demanding = jar.demanding();
        assertFalse(jar.underLoad());
        assertTrue(demanding.underLoad());
        Octets ni = Octets.of(new byte[32]);
        InetAddress from = InetAddress.getByName("192.0.2.7");
        Octets cookie = demanding.issue(ni, from, 42L);
        assertTrue(jar.valid(cookie, ni, from, 42L));
        assertFalse(jar.valid(cookie, ni, from, 43L), "bound to the SPI");
        jar.rotate();
        assertTrue(demanding.valid(cookie, ni, from, 42L), "the previous secret still counts once");
        demanding.rotate();
        assertFalse(jar.valid(cookie, ni, from, 42L), "two rotations later it does not");
        assertTrue(jar.valid(demanding.issue(ni, from, 42L), ni, from, 42L));
    }

    /** The secret changes every {@link CookieJar#ROTATION}: a cookie is good for one rotation, not two. */
    @Test
    void theSecretRotatesOnTheClock() throws Exception {
        CookieJar jar = new CookieJar(BackToBack.random(6), () -> 0, 0);
        long period = CookieJar.ROTATION.toNanos();
        jar.tick(1000);
        Octets ni = Octets.of(new byte[32]);
        InetAddress from = InetAddress.getByName("192.0.2.8");
        Octets cookie = jar.issue(ni, from, 7L);
        jar.tick(1000 + period - 1);
        jar.tick(1000 + period - 1);
        assertTrue(jar.valid(cookie, ni, from, 7L), "not yet rotated");
        jar.tick(1000 + period);
        assertTrue(jar.valid(cookie, ni, from, 7L), "rotated once: the previous secret still counts");
        jar.demanding().tick(1000 + 2 * period);
        assertFalse(jar.valid(cookie, ni, from, 7L), "rotated twice, by any owner's clock");
    }
}
