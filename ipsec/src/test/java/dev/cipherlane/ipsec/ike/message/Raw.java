package dev.cipherlane.ipsec.ike.message;

import dev.cipherlane.ipsec.crypto.Hex;
import java.io.ByteArrayOutputStream;

/**
 * Messages written by hand for tests, independently of the encoder: raw payload bodies in hex,
 * chained and sized here the way RFC 7296 sections 3.1 and 3.2 lay them out.
 */
final class Raw {
    static final long ISPI = 0x0102030405060708L;

    record P(int type, boolean critical, byte[] body) {}

    private Raw() {}

    static P p(int type, String hexBody) {
        return new P(type, false, Hex.bytes(hexBody));
    }

    static P critical(int type, String hexBody) {
        return new P(type, true, Hex.bytes(hexBody));
    }

    /** The generic headers and bodies, each naming the next one's type, the last 0. */
    static byte[] chain(P... payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < payloads.length; i++) {
            P p = payloads[i];
            int next = i + 1 < payloads.length ? payloads[i + 1].type() : 0;
            int length = 4 + p.body().length;
            out.write(next);
            out.write(p.critical() ? 0x80 : 0);
            out.write(length >>> 8);
            out.write(length);
            out.writeBytes(p.body());
        }
        return out.toByteArray();
    }

    /** An IKE_SA_INIT request from the initiator with these payloads. */
    static byte[] message(P... payloads) {
        byte[] chain = chain(payloads);
        int first = payloads.length == 0 ? 0 : payloads[0].type();
        return concat(header(ISPI, 0, first, 0x20, 34, 0x08, 0, 28 + chain.length), chain);
    }

    static byte[] header(long ispi, long rspi, int next, int version, int exchange, int flags, long messageId,
            long length) {
        return Hex.bytes(String.format("%016x%016x%02x%02x%02x%02x%08x%08x", ispi, rspi, next, version, exchange, flags,
                messageId, length));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code n} bytes counting up from {@code from}: recognisable filler for keys and nonces. */
    static String filler(int n, int from) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", (from + i) & 0xFF));
        }
        return sb.toString();
    }
}
