package dev.cipherlane.ipsec.crypto;

import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * An AES-256-GCM key and its 4-byte salt in the forms the engines take, made once per SA on
 * the control path and shared read-only by every thread. Each key has a process-wide
 * {@link #id()}, which engines use to keep a cipher keyed per SA instead of re-expanding the
 * key schedule whenever consecutive packets belong to different SAs.
 *
 * <p>With ipsec-mb available the key's {@code gcm_key_data} is precomputed here too, once,
 * whichever engine is configured (about a microsecond and 1 KB off-heap per SA), so an SA is
 * ready for every engine and the packet path never expands a key. {@link #close} wipes it when
 * the SA is removed or replaced; the ipsec-mb engine refuses a closed key.
 *
 * <p>{@link #toString()} names the id only: key bytes never reach a log.
 */
public final class AeadKey implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id;
    private final int salt;
    private final SecretKeySpec jdk;
    private final KeyParameter bouncyCastle;
    /** Null when ipsec-mb is unavailable in this process. */
    private final IpsecMbKeyData ipsecMb;
    private volatile boolean closed;

    private AeadKey(byte[] key, int salt) {
        this.id = IDS.getAndIncrement();
        this.salt = salt;
        this.jdk = new SecretKeySpec(key, "AES");
        this.bouncyCastle = new KeyParameter(key);
        this.ipsecMb = IpsecMb.STATUS.available() ? ipsecMbKeyData(key) : null;
    }

    /** Null if the library refused (it passed its self-test, so it should not): that engine then refuses the key. */
    private static IpsecMbKeyData ipsecMbKeyData(byte[] key) {
        try {
            return IpsecMbKeyData.precompute(IpsecMb.PRE, key);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * @param key  the 32-byte AES-256 key; copied, the caller may wipe its array
     * @param salt the 4-byte salt as a big-endian int (RFC 4106 section 8.1: the last four bytes
     *             of the 36-byte keying material)
     */
    public static AeadKey of(byte[] key, int salt) {
        if (key == null || key.length != AeadEngine.KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a " + AeadEngine.KEY_BYTES + "-byte key, got "
                    + (key == null ? "none" : key.length + " bytes"));
        }
        return new AeadKey(key, salt);
    }

    public int id() {
        return id;
    }

    public int salt() {
        return salt;
    }

    SecretKeySpec jdkKey() {
        return jdk;
    }

    KeyParameter bouncyCastleKey() {
        return bouncyCastle;
    }

    IpsecMbKeyData ipsecMb() {
        return ipsecMb;
    }

    /** True once {@link #close} ran; read by the ipsec-mb engine after each native call. */
    boolean closed() {
        return closed;
    }

    /**
     * Wipes the precomputed ipsec-mb key data (the SA is gone); idempotent. The flag is set
     * before the wipe, so a seal racing with it either saw intact key data or sees the flag
     * when it checks after its call (a volatile write before the wipe's stores, a volatile
     * read after the call's loads).
     */
    @Override
    public void close() {
        closed = true;
        if (ipsecMb != null) {
            ipsecMb.wipe();
        }
    }

    @Override
    public String toString() {
        return "AeadKey#" + id;
    }
}
