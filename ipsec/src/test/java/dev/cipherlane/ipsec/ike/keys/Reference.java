package dev.cipherlane.ipsec.ike.keys;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * An independent HMAC-SHA-256, prf+ and SKEYSEED written on Bouncy Castle's lightweight
 * {@link HMac}, so the tests can check our JDK-based code against a second implementation.
 */
final class Reference {
    private Reference() {}

    static byte[] hmac(byte[] key, byte[]... data) {
        HMac h = new HMac(new SHA256Digest());
        h.init(new KeyParameter(key));
        for (byte[] d : data) {
            h.update(d, 0, d.length);
        }
        byte[] out = new byte[h.getMacSize()];
        h.doFinal(out, 0);
        return out;
    }

    /** RFC 7296 section 2.13, spelled out block by block. */
    static byte[] prfPlus(byte[] key, byte[] seed, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] t = new byte[0];
        for (int n = 1; out.size() < length; n++) {
            t = hmac(key, t, seed, new byte[] {(byte) n});
            out.writeBytes(t);
        }
        return Arrays.copyOf(out.toByteArray(), length);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
