package dev.cipherlane.ipsec.ike.message;

import static dev.cipherlane.ipsec.ike.message.NonEspMarker.Kind.ESP;
import static dev.cipherlane.ipsec.ike.message.NonEspMarker.Kind.IKE;
import static dev.cipherlane.ipsec.ike.message.NonEspMarker.Kind.INVALID;
import static dev.cipherlane.ipsec.ike.message.NonEspMarker.Kind.NAT_KEEPALIVE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.ipsec.crypto.Hex;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Port 4500 framing (RFC 3948 sections 2.2 and 2.3, RFC 7296 section 2.23). */
class NonEspMarkerTest {
    @Test
    void classifiesWhatArrivesOnPort4500() {
        assertEquals(NAT_KEEPALIVE, NonEspMarker.classify(Hex.bytes("ff")));
        assertEquals(INVALID, NonEspMarker.classify(Hex.bytes("00")), "a lone byte other than 0xFF");
        assertEquals(INVALID, NonEspMarker.classify(new byte[0]));
        assertEquals(INVALID, NonEspMarker.classify(Hex.bytes("ffff")), "two keepalive bytes are not a keepalive");
        assertEquals(INVALID, NonEspMarker.classify(Hex.bytes("000000")));
        assertEquals(IKE, NonEspMarker.classify(Hex.bytes("00000000")), "a marker, even without a message");
        assertEquals(IKE, NonEspMarker.classify(Hex.bytes("00000000 0102030405060708")));
        assertEquals(ESP, NonEspMarker.classify(Hex.bytes("c0ffee01 00000001")), "SPI and sequence number");
        assertEquals(ESP, NonEspMarker.classify(Hex.bytes("00000100 00000001")), "an SPI with zero high bytes");
        assertEquals(INVALID, NonEspMarker.classify(Hex.bytes("c0ffee01 0000")), "too short for ESP");
    }

    @Test
    void prependAndStripAreInverse() {
        byte[] ike = IkeSaInitLayoutTest.built().encode();
        byte[] datagram = NonEspMarker.prepend(ike);
        assertEquals(ike.length + 4, datagram.length);
        assertEquals("00000000", Hex.of(datagram).substring(0, 8));
        assertEquals(IKE, NonEspMarker.classify(datagram));
        assertArrayEquals(ike, NonEspMarker.strip(datagram));
        ByteBuffer in = ByteBuffer.wrap(datagram);
        ByteBuffer stripped = NonEspMarker.strip(in);
        assertEquals(0, in.position(), "the received buffer is not moved");
        assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(stripped, 3000));
    }

    @Test
    void onlyIkeCanBeStripped() {
        assertThrows(IllegalArgumentException.class, () -> NonEspMarker.strip(Hex.bytes("c0ffee01 00000001")));
        assertThrows(IllegalArgumentException.class, () -> NonEspMarker.strip(Hex.bytes("ff")));
    }

    @Test
    void aBufferIsClassifiedFromItsPosition() {
        ByteBuffer b = ByteBuffer.wrap(Hex.bytes("c0ffee01 00000000 01020304"));
        b.position(4);
        assertEquals(IKE, NonEspMarker.classify(b));
        assertEquals(4, b.position());
    }
}
