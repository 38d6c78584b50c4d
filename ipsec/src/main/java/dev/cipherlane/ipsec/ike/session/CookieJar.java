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
 * serves every responder session of a node; the caller counts the half-open SAs. A
 * {@link #demanding()} view of it asks every request for a cookie, for a tunnel that already
 * holds half-open SAs of its own: one peer has no cause for several at once.
 */
public final class CookieJar {
    private static final Prf PRF = Prf.HMAC_SHA2_256;
    private static final int SECRET_LENGTH = 32;
    /**
     * How often the secret changes, as section 2.6 asks ("frequently"): a cookie is taken for
     * one to two periods, far longer than an initiator needs to send its request again.
     */
    public static final java.time.Duration ROTATION = java.time.Duration.ofMinutes(2);

    /** The secrets, shared by a jar and its demanding views, so a cookie one issues the other takes. */
    private static final class Secrets {
        private final RandomGenerator random;
        private byte version;
        private byte[] secret;
        private byte[] previous;
        private boolean ticked;
        private long rotatedAt;

        Secrets(RandomGenerator random) {
            this.random = random;
            this.secret = fresh();
        }

        private byte[] fresh() {
            byte[] s = new byte[SECRET_LENGTH];
            random.nextBytes(s);
            return s;
        }
    }

    private final Secrets secrets;
    private final IntSupplier halfOpen;
    private final int threshold;

    /**
     * @param halfOpen  the number of half-open IKE SAs right now
     * @param threshold from how many half-open SAs cookies are required; 0 always requires them
     */
    public CookieJar(RandomGenerator random, IntSupplier halfOpen, int threshold) {
        this(new Secrets(random), halfOpen, threshold);
    }

    private CookieJar(Secrets secrets, IntSupplier halfOpen, int threshold) {
        this.secrets = secrets;
        this.halfOpen = halfOpen;
        this.threshold = threshold;
    }

    public boolean underLoad() {
        return halfOpen.getAsInt() >= threshold;
    }

    /** This jar's secrets, asking every request for a cookie whatever the node's load. */
    public CookieJar demanding() {
        return new CookieJar(secrets, () -> 0, 0);
    }

    /** A new secret; cookies made with the one before stay valid until the next rotation. */
    public void rotate() {
        synchronized (secrets) {
            secrets.previous = secrets.secret;
            secrets.secret = secrets.fresh();
            secrets.version++;
        }
    }

    /** The clock: a new secret every {@link #ROTATION}; any number of owners may call it. */
    public void tick(long now) {
        synchronized (secrets) {
            if (!secrets.ticked) {
                secrets.ticked = true;
                secrets.rotatedAt = now;
            } else if (now - secrets.rotatedAt >= ROTATION.toNanos()) {
                secrets.rotatedAt = now;
                rotate();
            }
        }
    }

    Octets issue(Octets ni, InetAddress initiator, long spiI) {
        synchronized (secrets) {
            return Octets.of(make(secrets.version, secrets.secret, ni, initiator, spiI));
        }
    }

    boolean valid(Octets cookie, Octets ni, InetAddress initiator, long spiI) {
        byte[] c = cookie.toByteArray();
        if (c.length != 1 + PRF.outputLength()) {
            return false;
        }
        byte[] key;
        synchronized (secrets) {
            key = c[0] == secrets.version ? secrets.secret
                    : c[0] == (byte) (secrets.version - 1) && secrets.previous != null ? secrets.previous : null;
        }
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
}
