package dev.cipherlane.ipsec.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whatever a datagram holds, decoding gives a result and never throws: every truncation and
 * every single-byte value at every offset of valid messages, and random bytes with a fixed
 * seed, some of them behind a plausible header so that the payload parsers get exercised.
 */
class DecodeRobustnessTest {
    static final int MAX = 65535;

    static List<byte[]> validMessages() {
        byte[] init = IkeSaInitLayoutTest.built().encode();
        List<Payload> all = PayloadRoundTripTest.payloads().filter(p -> !(p instanceof EncryptedPayload)).toList();
        byte[] everything = new IkeMessage(PayloadRoundTripTest.AUTH_REQUEST, all).encode();
        byte[] auth = IkeMessage.of(PayloadRoundTripTest.AUTH_REQUEST, DeletePayload.esp(5),
                new EncryptedPayload(PayloadType.IDI, Octets.ofHex(Raw.filler(40, 0)))).encode();
        return List.of(init, everything, auth);
    }

    /** Decodes and, when the result is a message, checks it re-encodes to something stable. */
    static DecodeResult decode(byte[] datagram) {
        DecodeResult r = IkeMessage.decode(datagram, MAX);
        assertNotNull(r);
        if (r instanceof DecodeResult.Decoded d) {
            byte[] again = d.message().encode();
            IkeMessage twice = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(again, MAX)).message();
            assertEquals(d.message(), twice);
        }
        return r;
    }

    @Test
    void everyTruncationIsMalformed() {
        for (byte[] valid : validMessages()) {
            for (int n = 0; n < valid.length; n++) {
                DecodeResult r = decode(Arrays.copyOf(valid, n));
                assertInstanceOf(DecodeResult.Malformed.class, r, "truncated to " + n);
            }
        }
    }

    @Test
    void everyTruncationWithItsLengthFieldFixedDecodesToAResult() {
        for (byte[] valid : validMessages()) {
            for (int n = IkeHeader.LENGTH; n < valid.length; n++) {
                byte[] cut = Arrays.copyOf(valid, n);
                ByteBuffer.wrap(cut).putInt(24, n);
                assertInstanceOf(DecodeResult.Malformed.class, decode(cut), "cut to " + n);
            }
        }
    }

    @Test
    void everyByteValueAtEveryOffsetOfASmallMessage() {
        byte[] valid = IkeSaInitLayoutTest.built().encode();
        int decoded = 0;
        for (int at = 0; at < valid.length; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] bad = valid.clone();
                bad[at] = (byte) v;
                if (decode(bad) instanceof DecodeResult.Decoded) {
                    decoded++;
                }
            }
        }
        // Many corruptions land in key data, nonces and IDs and still decode; that is fine.
        assertEquals(true, decoded > 0);
    }

    @Test
    void singleBitFlipsInTheLargerMessages() {
        for (byte[] valid : validMessages()) {
            for (int bit = 0; bit < valid.length * 8; bit++) {
                byte[] bad = valid.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                decode(bad);
            }
        }
    }

    @Test
    void randomBytes() {
        SplittableRandom random = new SplittableRandom(7296);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[random.nextInt(0, 400)];
            random.nextBytes(b);
            decode(b);
        }
    }

    /** Random bodies behind a header that passes its own checks, starting at a known payload type. */
    @Test
    void randomBytesBehindAPlausibleHeader() {
        SplittableRandom random = new SplittableRandom(3948);
        int[] types = {33, 34, 35, 36, 39, 40, 41, 42, 43, 44, 45, 46, 47, 200};
        for (int i = 0; i < 5000; i++) {
            int size = random.nextInt(IkeHeader.LENGTH, 600);
            byte[] b = new byte[size];
            random.nextBytes(b);
            ByteBuffer h = ByteBuffer.wrap(b);
            h.putLong(0, random.nextLong() | 1).put(16, (byte) types[random.nextInt(types.length)]).put(17, (byte) 0x20)
                    .putInt(24, size);
            // Make the first generic header plausible half of the time.
            if (size >= 32 && random.nextBoolean()) {
                h.put(28, (byte) types[random.nextInt(types.length)]).putShort(30, (short) random.nextInt(4, size - 27));
            }
            decode(b);
            PayloadChain.Result r = PayloadChain.decode(types[random.nextInt(types.length)],
                    Arrays.copyOfRange(b, IkeHeader.LENGTH, size));
            assertNotNull(r);
        }
    }

    @Test
    void aBufferIsReadBetweenPositionAndLimitAndLeftAlone() {
        byte[] valid = IkeSaInitLayoutTest.built().encode();
        ByteBuffer framed = ByteBuffer.allocate(valid.length + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        framed.position(6).put(valid).position(6).limit(6 + valid.length);
        IkeMessage m = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(framed, MAX)).message();
        assertArrayEquals(valid, m.encode());
        assertEquals(6, framed.position());
        assertEquals(6 + valid.length, framed.limit());
    }
}
