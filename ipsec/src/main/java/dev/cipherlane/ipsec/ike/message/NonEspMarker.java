package dev.cipherlane.ipsec.ike.message;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Framing on UDP port 4500, where IKE and UDP-encapsulated ESP share one socket (RFC 3948
 * section 2, RFC 7296 section 2.23). An IKE message there is preceded by the Non-ESP marker,
 * four zero bytes, standing where an ESP packet has its SPI, which is never 0 (RFC 4303
 * section 2.1); a single 0xFF byte is a NAT keepalive (RFC 3948 section 2.3) and is dropped.
 */
public final class NonEspMarker {
    /** The marker's length: an ESP SPI's. */
    public static final int LENGTH = 4;
    public static final int NAT_KEEPALIVE = 0xFF;
    /** SPI and sequence number: anything shorter cannot be ESP (RFC 4303 section 2). */
    static final int MIN_ESP = 8;

    /** What a datagram received on port 4500 is. */
    public enum Kind {
        /** Marker then an IKE message: strip the marker and decode. */
        IKE,
        /** A keepalive that only refreshed a NAT mapping: drop silently. */
        NAT_KEEPALIVE,
        /** An ESP packet (non-zero SPI): to the ESP decrypt path. */
        ESP,
        /** None of these (too short, or a lone byte other than 0xFF): drop. */
        INVALID
    }

    private NonEspMarker() {}

    public static Kind classify(byte[] datagram) {
        return classify(ByteBuffer.wrap(datagram));
    }

    /** Classifies the bytes between position and limit, which stay put. */
    public static Kind classify(ByteBuffer datagram) {
        int at = datagram.position();
        int size = datagram.remaining();
        if (size == 1) {
            return (datagram.get(at) & 0xFF) == NAT_KEEPALIVE ? Kind.NAT_KEEPALIVE : Kind.INVALID;
        }
        if (size < LENGTH) {
            return Kind.INVALID;
        }
        if (datagram.getInt(at) == 0) {
            return Kind.IKE;
        }
        return size >= MIN_ESP ? Kind.ESP : Kind.INVALID;
    }

    /** The datagram to send on port 4500 for an encoded IKE message. */
    public static byte[] prepend(byte[] ikeMessage) {
        byte[] out = new byte[LENGTH + ikeMessage.length];
        System.arraycopy(ikeMessage, 0, out, LENGTH, ikeMessage.length);
        return out;
    }

    /** The IKE message in a datagram that {@link #classify} found to be {@link Kind#IKE}. */
    public static byte[] strip(byte[] datagram) {
        requireIke(ByteBuffer.wrap(datagram));
        return Arrays.copyOfRange(datagram, LENGTH, datagram.length);
    }

    /** A view of the IKE message after the marker; the argument is not moved. */
    public static ByteBuffer strip(ByteBuffer datagram) {
        requireIke(datagram);
        return datagram.slice(datagram.position() + LENGTH, datagram.remaining() - LENGTH);
    }

    private static void requireIke(ByteBuffer datagram) {
        if (classify(datagram) != Kind.IKE) {
            throw new IllegalArgumentException("no Non-ESP marker: the datagram is " + classify(datagram));
        }
    }
}
