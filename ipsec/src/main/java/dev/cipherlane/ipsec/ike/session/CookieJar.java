package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.Prf;
import dev.cipherlane.ipsec.ike.message.Octets;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

/**
 * Stateless cookies for a responder under load (RFC 7296 section 2.6). While the number of
 * half-open IKE SAs is at or above a threshold, an IKE_SA_INIT request without a valid COOKIE
 * gets only a COOKIE back and costs the responder no state and no Diffie-Hellman. An attacker
 * spoofing sources never sees the cookie, so cannot complete the second try.
 *
 * <p>The cookie is a one-byte secret version and prf(secret, Ni | IPi | SPIi): the version lets
 * {@link #rotate} change the secret without refusing cookies handed out just before. One jar
 * serves every responder session of a node; the caller counts the half-open SAs.
 */
public final class CookieJar {
    private static final Prf PRF = Prf.HMAC_SHA2_256;
    private static final int SECRET_LENGTH = 32;

    private final RandomGenerator random;
    private final IntSupplier halfOpen;
    private final int threshold;
    private byte version;
    private byte[] secret;
    private byte[] previous;

    /**
     * @param halfOpen  the number of half-open IKE SAs right now
     * @param threshold from how many half-open SAs cookies are required; 0 always requires them
     */
    public CookieJar(RandomGenerator random, IntSupplier halfOpen, int threshold) {
        this.random = random;
        this.halfOpen = halfOpen;
        this.threshold = threshold;
        this.secret = fresh();
    }

    public boolean underLoad() {
        return halfOpen.getAsInt() >= threshold;
    }

    /** A new secret; cookies made with the one before stay valid until the next rotation. */
    public void rotate() {
        previous = secret;
        secret = fresh();
        version++;
    }

    Octets issue(Octets ni, InetAddress initiator, long spiI) {
        return Octets.of(make(version, secret, ni, initiator, spiI));
    }

    boolean valid(Octets cookie, Octets ni, InetAddress initiator, long spiI) {
        byte[] c = cookie.toByteArray();
        if (c.length != 1 + PRF.outputLength()) {
            return false;
        }
        byte[] key = c[0] == version ? secret : c[0] == (byte) (version - 1) && previous != null ? previous : null;
        return key != null && MessageDigest.isEqual(c, make(c[0], key, ni, initiator, spiI));
    }

    private static byte[] make(byte version, byte[] key, Octets ni, InetAddress initiator, long spiI) {
        byte[] ip = initiator.getAddress();
        byte[] mac = PRF.apply(key, ni.toByteArray(), ip, ByteBuffer.allocate(8).putLong(spiI).array());
        byte[] out = new byte[1 + mac.length];
        out[0] = version;
        System.arraycopy(mac, 0, out, 1, mac.length);
        return out;
    }

    private byte[] fresh() {
        byte[] s = new byte[SECRET_LENGTH];
        random.nextBytes(s);
        return s;
    }
}
