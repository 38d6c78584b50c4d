package dev.cipherlane.ipsec.ike.message;

import static dev.cipherlane.ipsec.ike.message.Raw.critical;
import static dev.cipherlane.ipsec.ike.message.Raw.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Payload types the codec does not know, with and without the critical bit (RFC 7296 section 2.5). */
class UnknownPayloadTest {
    static final String NONCE = Raw.filler(16, 0x10);
    static final String VENDOR = "cafe";

    @Test
    void aNonCriticalUnknownPayloadIsSkipped() {
        byte[] wire = Raw.message(p(PayloadType.NONCE, NONCE), p(200, "0102030405"), p(PayloadType.CERTREQ, "04"),
                p(PayloadType.VENDOR_ID, VENDOR));
        IkeMessage m = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 3000)).message();
        assertEquals(List.of(new NoncePayload(Octets.ofHex(NONCE)), new VendorIdPayload(Octets.ofHex(VENDOR))),
                m.payloads());
        assertEquals(wire.length - 9 - 5, m.header().length(), "the header describes the message as kept");
    }

    @Test
    void aCriticalUnknownPayloadIsReportedWithItsType() {
        byte[] wire = Raw.message(p(PayloadType.NONCE, NONCE), critical(200, "0102"), critical(201, ""),
                p(PayloadType.VENDOR_ID, VENDOR));
        DecodeResult.UnsupportedCriticalPayload u = assertInstanceOf(DecodeResult.UnsupportedCriticalPayload.class,
                IkeMessage.decode(wire, 3000));
        assertEquals(200, u.payloadType(), "the first one");
        assertEquals(Raw.ISPI, u.header().initiatorSpi());
    }

    @Test
    void aMalformationAfterACriticalUnknownPayloadWins() {
        byte[] wire = Raw.message(critical(200, "0102"), p(PayloadType.NONCE, "00"));
        DecodeResult.Malformed m = assertInstanceOf(DecodeResult.Malformed.class, IkeMessage.decode(wire, 3000));
        assertTrue(m.reason().contains("nonce of 1 bytes"), m.reason());
    }

    @Test
    void theCriticalBitOnAKnownTypeIsIgnored() {
        byte[] wire = Raw.message(critical(PayloadType.NONCE, NONCE));
        IkeMessage m = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 3000)).message();
        assertEquals(List.of(new NoncePayload(Octets.ofHex(NONCE))), m.payloads());
    }

    @Test
    void theSameHoldsInsideAnEncryptedPayload() {
        byte[] skipped = Raw.chain(p(250, "00"), p(PayloadType.VENDOR_ID, VENDOR));
        assertEquals(new PayloadChain.Result.Parsed(List.of(new VendorIdPayload(Octets.ofHex(VENDOR)))),
                PayloadChain.decode(250, skipped));
        byte[] refused = Raw.chain(p(PayloadType.VENDOR_ID, VENDOR), critical(250, "00"));
        assertEquals(new PayloadChain.Result.UnsupportedCriticalPayload(250),
                PayloadChain.decode(PayloadType.VENDOR_ID, refused));
    }
}
