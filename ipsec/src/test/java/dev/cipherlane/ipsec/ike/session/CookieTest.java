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
}
