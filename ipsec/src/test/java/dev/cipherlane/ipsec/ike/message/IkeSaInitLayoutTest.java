package dev.cipherlane.ipsec.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cipherlane.ipsec.crypto.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A realistic IKE_SA_INIT request written out byte by byte from the layouts of RFC 7296
 * section 3, against the encoder and the decoder.
 */
class IkeSaInitLayoutTest {
    static final String KE_DATA = Raw.filler(32, 0x40);
    static final String NONCE = Raw.filler(32, 0x80);
    static final String NAT_SOURCE = Raw.filler(20, 0xA0);
    static final String NAT_DESTINATION = Raw.filler(20, 0xC0);

    static final String WIRE = String.join("",
            // IKE header (3.1): SPIi, SPIr = 0, next SA, version 2.0, IKE_SA_INIT, flags I, ID 0, length 244
            "0102030405060708", "0000000000000000", "21", "20", "22", "08", "00000000", "000000f4",
            // SA (3.3): next KE, length 4 + 36 + 44
            "22", "00", "0054",
            //   proposal 1 (3.3.1): more (2), length 36, #1, IKE, SPI size 0, 3 transforms
            "02", "00", "0024", "01", "01", "00", "03",
            //     transforms (3.3.2): more (3) or last (0), length, type, ID, attributes (3.3.5)
            "03", "00", "000c", "01", "00", "0014", "800e0100", // ENCR AES_GCM_16, Key Length (TV) 256
            "03", "00", "0008", "02", "00", "0005", // PRF_HMAC_SHA2_256
            "00", "00", "0008", "04", "00", "001f", // group 31, Curve25519
            //   proposal 2: last (0), length 44, #2, IKE, SPI size 0, 4 transforms
            "00", "00", "002c", "02", "01", "00", "04",
            "03", "00", "000c", "01", "00", "000c", "800e0100", // ENCR AES_CBC, Key Length 256
            "03", "00", "0008", "03", "00", "000c", // AUTH_HMAC_SHA2_256_128
            "03", "00", "0008", "02", "00", "0005", // PRF_HMAC_SHA2_256
            "00", "00", "0008", "04", "00", "001f", // group 31
            // KE (3.4): next Nonce, length 40, group 31, reserved, 32 bytes
            "28", "00", "0028", "001f", "0000", KE_DATA,
            // Nonce (3.9): next Notify, length 36
            "29", "00", "0024", NONCE,
            // Notify (3.10): next Notify, length 28, protocol 0, SPI size 0, NAT_DETECTION_SOURCE_IP
            "29", "00", "001c", "00", "00", "4004", NAT_SOURCE,
            // Notify: last, NAT_DETECTION_DESTINATION_IP
            "00", "00", "001c", "00", "00", "4005", NAT_DESTINATION);

    static IkeMessage built() {
        SaPayload sa = SaPayload.of(
                Proposal.ike(1,
                        Transform.of(Transform.ENCR, TransformId.ENCR_AES_GCM_16, 256),
                        Transform.of(Transform.PRF, TransformId.PRF_HMAC_SHA2_256),
                        Transform.of(Transform.KE, TransformId.CURVE25519)),
                Proposal.ike(2,
                        Transform.of(Transform.ENCR, TransformId.ENCR_AES_CBC, 256),
                        Transform.of(Transform.INTEG, TransformId.AUTH_HMAC_SHA2_256_128),
                        Transform.of(Transform.PRF, TransformId.PRF_HMAC_SHA2_256),
                        Transform.of(Transform.KE, TransformId.CURVE25519)));
        return IkeMessage.of(
                IkeHeader.of(Raw.ISPI, 0, ExchangeType.IKE_SA_INIT, IkeHeader.FLAG_INITIATOR, 0),
                sa,
                new KePayload(TransformId.CURVE25519, Octets.ofHex(KE_DATA)),
                new NoncePayload(Octets.ofHex(NONCE)),
                NotifyPayload.of(NotifyType.NAT_DETECTION_SOURCE_IP, Octets.ofHex(NAT_SOURCE)),
                NotifyPayload.of(NotifyType.NAT_DETECTION_DESTINATION_IP, Octets.ofHex(NAT_DESTINATION)));
    }

    @Test
    void theEncoderWritesExactlyTheRfcLayout() {
        assertEquals(244, Hex.bytes(WIRE).length, "the hand-written vector adds up");
        assertEquals(Hex.of(Hex.bytes(WIRE)), Hex.of(built().encode()));
    }

    @Test
    void theDecoderReadsTheRfcLayoutBack() {
        DecodeResult r = IkeMessage.decode(Hex.bytes(WIRE), 3000);
        IkeMessage m = assertInstanceOf(DecodeResult.Decoded.class, r).message();
        assertEquals(built(), m);
        IkeHeader h = m.header();
        assertEquals(Raw.ISPI, h.initiatorSpi());
        assertEquals(0, h.responderSpi());
        assertEquals(ExchangeType.IKE_SA_INIT, h.exchangeType());
        assertEquals(true, h.initiator());
        assertEquals(false, h.response());
        assertEquals(244, h.length());
        assertEquals(PayloadType.SA, h.nextPayload());

        SaPayload sa = m.first(SaPayload.class).orElseThrow();
        Proposal gcm = sa.proposals().getFirst();
        assertEquals(List.of(Transform.of(Transform.ENCR, TransformId.ENCR_AES_GCM_16, 256)),
                gcm.transforms(Transform.ENCR));
        assertEquals(256, gcm.transforms(Transform.ENCR).getFirst().keyLength().orElseThrow());
        assertEquals(2, m.all(NotifyPayload.class).size());
        assertEquals(Octets.ofHex(NAT_DESTINATION),
                m.notify(NotifyType.NAT_DETECTION_DESTINATION_IP).orElseThrow().data());
    }

    @Test
    void aRoundTripThroughTheWireIsTheIdentity() {
        byte[] wire = built().encode();
        IkeMessage again = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 3000)).message();
        assertArrayEquals(wire, again.encode());
    }
}
