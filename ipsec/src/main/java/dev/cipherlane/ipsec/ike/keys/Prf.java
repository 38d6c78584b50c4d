package dev.cipherlane.ipsec.ike.keys;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An IKEv2 pseudorandom function (transform type 2) and the prf+ expansion built on it
 * (RFC 7296 section 2.13). Only PRF_HMAC_SHA2_256 (id 5, RFC 4868 section 2.1) for now; its
 * output and preferred key length are both 32 bytes.
 *
 * <p>Stateless: every call makes its own {@link Mac}, which costs a microsecond on the control
 * path and keeps instances shareable.
 */
public final class Prf {
    public static final Prf HMAC_SHA2_256 = new Prf(5, "HMAC_SHA2_256", "HmacSHA256", 32, 64);

    /** RFC 7296 section 2.13: the octet counter of prf+ runs from 0x01 to 0xFF. */
    public static final int MAX_ITERATIONS = 255;

    private final int transformId;
    private final String name;
    private final String jdkName;
    private final int outputLength;
    private final int blockLength;

    private Prf(int transformId, String name, String jdkName, int outputLength, int blockLength) {
        this.transformId = transformId;
        this.name = name;
        this.jdkName = jdkName;
        this.outputLength = outputLength;
        this.blockLength = blockLength;
    }

    public static Optional<Prf> byTransformId(int id) {
        return id == HMAC_SHA2_256.transformId ? Optional.of(HMAC_SHA2_256) : Optional.empty();
    }

    public int transformId() {
        return transformId;
    }

    /** Bytes one application gives. */
    public int outputLength() {
        return outputLength;
    }

    /**
     * The key length SK_d, SK_pi and SK_pr take (RFC 7296 section 2.14): for HMAC, the output
     * length (RFC 4868 section 2.1.2).
     */
    public int preferredKeyLength() {
        return outputLength;
    }

    /** The most prf+ can give: 255 blocks. */
    public int maxPlusLength() {
        return MAX_ITERATIONS * outputLength;
    }

    /** prf(key, data[0] | data[1] | ...). */
    public byte[] apply(byte[] key, byte[]... data) {
        Mac mac = keyed(key);
        for (byte[] d : data) {
            mac.update(d);
        }
        return mac.doFinal();
    }

    /**
     * prf+(key, seed) truncated to {@code length} bytes (RFC 7296 section 2.13):
     * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), output T1 | T2 | ...
     *
     * @throws IllegalArgumentException if {@code length} is negative or over {@link #maxPlusLength}
     */
    public byte[] plus(byte[] key, byte[] seed, int length) {
        if (length < 0 || length > maxPlusLength()) {
            throw new IllegalArgumentException("prf+ gives 0 to " + maxPlusLength() + " bytes, asked for " + length);
        }
        Mac mac = keyed(key);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int n = 1, at = 0; at < length; n++) {
            mac.update(t);
            mac.update(seed);
            mac.update((byte) n);
            KeyBytes.wipe(t);
            t = mac.doFinal();
            int take = Math.min(t.length, length - at);
            System.arraycopy(t, 0, out, at, take);
            at += take;
        }
        KeyBytes.wipe(t);
        return out;
    }

    private Mac keyed(byte[] key) {
        // HMAC pads a short key with zeros to the block length (RFC 2104 section 2), so an empty
        // key, which SecretKeySpec refuses, is the same key as a block of zeros.
        byte[] k = key.length == 0 ? new byte[blockLength] : key;
        try {
            Mac mac = Mac.getInstance(jdkName);
            mac.init(new SecretKeySpec(k, jdkName));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException(name + " refused its key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + jdkName, e);
        }
    }

    @Override
    public String toString() {
        return "PRF_" + name + " (" + transformId + ")";
    }
}
