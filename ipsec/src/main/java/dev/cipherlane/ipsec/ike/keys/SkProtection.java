package dev.cipherlane.ipsec.ike.keys;

import java.util.Arrays;

/**
 * The Encrypted (SK) payload of one IKE SA, both directions (RFC 7296 section 3.14): seals the
 * inner payloads of the messages we send and opens those we receive. The body of an SK payload
 * is IV | ciphertext | ICV, where the ciphertext covers inner payloads | padding | pad length.
 *
 * <p>Sealing takes the message bytes in front of the IV, the IKE header and the SK payload's
 * generic header, with every length field already final ({@link #protectedLength} tells the
 * caller what to write), and returns the whole message. Opening takes the whole message and the
 * offset of the SK body and gives {@link SkOpening.Opened} or {@link SkOpening.Refused}, never
 * an exception for what arrived. Either way everything from the IKE header's first byte is
 * authenticated. Not thread-safe: an IKE session is driven by one thread at a time.
 */
public abstract sealed class SkProtection permits SkAesGcm, SkAesCbcHmac {
    /** RFC 7296 section 3.1. */
    public static final int IKE_HEADER_LENGTH = 28;
    /** RFC 7296 section 3.2. */
    public static final int GENERIC_HEADER_LENGTH = 4;
    /** The Length field of the IKE header: octets 24 to 27. */
    private static final int LENGTH_FIELD_AT = 24;

    private boolean destroyed;

    SkProtection() {}

    /**
     * Protection for an IKE SA whose keys are {@code keys}, {@code we} being our role at the SA's
     * creation: the original initiator sends under SK_ei/SK_ai and receives under SK_er/SK_ar.
     * The keys are copied, so {@code keys} may be destroyed independently.
     */
    public static SkProtection of(IkeKeys keys, IkeRole we) {
        IkeKey sendE = we == IkeRole.INITIATOR ? IkeKey.SK_EI : IkeKey.SK_ER;
        IkeKey recvE = we == IkeRole.INITIATOR ? IkeKey.SK_ER : IkeKey.SK_EI;
        IkeKey sendA = we == IkeRole.INITIATOR ? IkeKey.SK_AI : IkeKey.SK_AR;
        IkeKey recvA = we == IkeRole.INITIATOR ? IkeKey.SK_AR : IkeKey.SK_AI;
        return switch (keys.suite()) {
            case AES_GCM_16_256 -> new SkAesGcm(keys.suite(), keys.copyOf(sendE), keys.copyOf(recvE));
            case AES_CBC_256_HMAC_SHA2_256_128 -> new SkAesCbcHmac(keys.suite(),
                    keys.copyOf(sendE), keys.copyOf(sendA), keys.copyOf(recvE), keys.copyOf(recvA));
        };
    }

    /** Bytes of IV, ciphertext (with padding and pad length) and ICV for this much plaintext. */
    public abstract int protectedLength(int plaintextLength);

    /**
     * The whole message: {@code headerAndSkHeader}, then IV | ciphertext | ICV of
     * {@code innerPayloads}.
     *
     * <p>Only the IKE header's Length field is checked against the result: the prefix may end
     * in an SK payload header or in the longer header of an Encrypted Fragment (RFC 7383
     * section 2.5), whose fields are the caller's.
     *
     * @throws IllegalArgumentException if the prefix is shorter than an IKE header and a generic
     *     header, or its IKE header Length field does not give the sealed message's length
     */
    public final byte[] seal(byte[] headerAndSkHeader, byte[] innerPayloads) {
        checkLive();
        int prefix = headerAndSkHeader.length;
        if (prefix < IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH) {
            throw new IllegalArgumentException("an IKE header and an SK generic header take "
                    + (IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH) + " bytes, got " + prefix);
        }
        long total = (long) prefix + protectedLength(innerPayloads.length);
        long declared = Integer.toUnsignedLong(readInt(headerAndSkHeader, LENGTH_FIELD_AT));
        if (declared != total) {
            throw new IllegalArgumentException("the IKE header says " + declared + " bytes, the sealed message has " + total);
        }
        byte[] message = new byte[(int) total];
        System.arraycopy(headerAndSkHeader, 0, message, 0, prefix);
        sealInto(message, prefix, innerPayloads);
        return message;
    }

    /** Writes IV | ciphertext | ICV into {@code message} from {@code at}, authenticating {@code message[0, at)}. */
    abstract void sealInto(byte[] message, int at, byte[] plaintext);

    /**
     * The inner payloads of a received message.
     *
     * @param message      the whole IKE message, IKE header first
     * @param skBodyOffset where the SK payload's IV starts, just after its generic header
     */
    public final SkOpening open(byte[] message, int skBodyOffset) {
        checkLive();
        if (message == null || skBodyOffset < IKE_HEADER_LENGTH + GENERIC_HEADER_LENGTH || skBodyOffset > message.length) {
            return new SkOpening.Refused(SkFailure.TOO_SHORT);
        }
        return openChecked(message, skBodyOffset);
    }

    abstract SkOpening openChecked(byte[] message, int at);

    /**
     * Strips padding from authentic plaintext: the last byte says how many padding bytes precede
     * it. Their contents are the sender's business (RFC 7296 section 3.14), so are not checked.
     */
    static SkOpening unpad(byte[] padded) {
        int padLength = padded[padded.length - 1] & 0xFF;
        int payloads = padded.length - 1 - padLength;
        if (payloads < 0) {
            KeyBytes.wipe(padded);
            return new SkOpening.Refused(SkFailure.BAD_PADDING);
        }
        byte[] out = Arrays.copyOf(padded, payloads);
        KeyBytes.wipe(padded);
        return new SkOpening.Opened(out);
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private void checkLive() {
        if (destroyed) {
            throw new IllegalStateException("SK protection keys were destroyed");
        }
    }

    /** Zeroes this object's key copies; it refuses use afterwards. */
    public final void destroy() {
        destroyed = true;
        wipeKeys();
    }

    public final boolean isDestroyed() {
        return destroyed;
    }

    abstract void wipeKeys();

    abstract IkeSuite suite();

    @Override
    public final String toString() {
        return "SkProtection[" + suite() + (destroyed ? ", destroyed]" : "]");
    }
}
