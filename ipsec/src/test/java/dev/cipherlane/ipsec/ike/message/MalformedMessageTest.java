package dev.cipherlane.ipsec.ike.message;

import static dev.cipherlane.ipsec.ike.message.Raw.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.Hex;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each rule of RFC 7296 section 3 the decoder enforces, broken once, with the reason it gives. */
class MalformedMessageTest {
    static final int SA = PayloadType.SA;
    static final String NONCE = Raw.filler(16, 0);
    /** Transform (3.3.2): last, length 12, ENCR AES_GCM_16, Key Length 256. */
    static final String GCM_LAST = "0000000c 01000014 800e0100";
    static final String GCM_MORE = "0300000c 01000014 800e0100";
    /** Proposal (3.3.1): last, length 20, #1, IKE, no SPI, 1 transform, then the transform. */
    static final String PROPOSAL = "00000014 01010001" + GCM_LAST;
    static final String TS4 = "07000010 0000ffff 0a000000 0a0000ff";

    static byte[] patch(byte[] bytes, int offset, String hex) {
        byte[] out = bytes.clone();
        byte[] h = Hex.bytes(hex);
        System.arraycopy(h, 0, out, offset, h.length);
        return out;
    }

    static Arguments bad(String rule, byte[] datagram, String reason) {
        return Arguments.of(rule, datagram, reason);
    }

    static Arguments payload(String rule, int type, String body, String reason) {
        return bad(rule, Raw.message(p(type, body)), reason);
    }

    static byte[] nonceMessage() {
        return Raw.message(p(PayloadType.NONCE, NONCE));
    }

    static Stream<Arguments> malformations() {
        byte[] ok = nonceMessage();
        byte[] extra = Raw.concat(Raw.header(Raw.ISPI, 0, 40, 0x20, 34, 8, 0, 28 + 20 + 4),
                Raw.chain(p(PayloadType.NONCE, NONCE)), Hex.bytes("00000000"));
        Raw.P[] many = new Raw.P[65];
        Arrays.fill(many, p(PayloadType.VENDOR_ID, "01"));
        return Stream.of(
                // Header (3.1).
                bad("header length below 28", patch(ok, 24, "00000014"), "header length 20 is below the 28-byte"),
                bad("header length beyond the datagram", patch(ok, 24, "00000031"),
                        "header length 49 exceeds the datagram's 48 bytes"),
                bad("datagram longer than its header length", Raw.concat(ok, Hex.bytes("00")),
                        "datagram of 49 bytes is longer than the header length 48"),
                bad("major version 1", patch(ok, 17, "10"), "major version 1 is not IKEv2"),
                bad("initiator SPI zero", patch(ok, 0, "0000000000000000"), "initiator SPI is zero"),
                // Generic payload header and chain (3.2).
                bad("payload length below its generic header", patch(ok, 30, "0003"),
                        "payload length 3 is below the 4-byte generic header"),
                bad("payload length past the end", patch(ok, 30, "0100"), "payload length 256 runs past the end"),
                bad("the chain names a payload that is not there", Raw.header(Raw.ISPI, 0, 40, 0x20, 34, 8, 0, 28),
                        "payload 1 (Nonce): the chain names it but only 0 bytes are left"),
                bad("bytes after the last payload", extra, "4 bytes follow the last payload"),
                bad("more payloads than the cap", Raw.message(many), "more than 64 payloads"),
                bad("SK not last", Raw.message(p(PayloadType.ENCRYPTED, "0011"), p(PayloadType.VENDOR_ID, "01")),
                        "the Encrypted payload is not last"),
                // SA, proposals, transforms, attributes (3.3).
                payload("SA without proposals", SA, "", "SA payload has no proposals"),
                payload("proposal length below its fixed part", SA, "00000007 01010001" + GCM_LAST,
                        "SA proposal 1 length 7 is below its 8-byte fixed part"),
                payload("proposal length past the SA payload", SA, "00000030 01010001" + GCM_LAST,
                        "SA proposal 1 length 48 runs past its enclosing structure"),
                payload("transform length below its fixed part", SA, "00000014 01010001 00000007 01000014 800e0100",
                        "SA proposal 1 transform 1 length 7 is below its 8-byte fixed part"),
                payload("transform length past its proposal", SA, "00000014 01010001 00000020 01000014 800e0100",
                        "SA proposal 1 transform 1 length 32 runs past its enclosing structure"),
                payload("attribute past its transform", SA, "00000014 01010001 0000000c 01000014 00110010",
                        "SA proposal 1 transform 1 attribute 1 value needs 16 bytes, only 0 left"),
                payload("fewer transforms than declared", SA, "00000014 01010002" + GCM_LAST,
                        "SA proposal 1 declares 2 transforms but holds 1"),
                payload("more transforms than declared", SA, "00000020 01010001" + GCM_LAST + GCM_LAST,
                        "SA proposal 1 has 12 bytes after its 1 transforms"),
                payload("no transforms", SA, "00000008 01010000", "SA proposal 1 has no transforms"),
                payload("proposal SPI past its proposal", SA, "00000014 0101c801" + GCM_LAST,
                        "SA proposal 1 SPI of 200 bytes needs 200 bytes"),
                payload("last proposal marked more", SA, "02000014 01010001" + GCM_LAST,
                        "SA proposal 1 is the last one but is marked 'more'"),
                payload("proposal marked last before another", SA, PROPOSAL + "00000014 02010001" + GCM_LAST,
                        "SA proposal 1 is marked last but more follow"),
                payload("proposal marker neither 0 nor 2", SA, "01000014 01010001" + GCM_LAST,
                        "SA proposal 1 has last-substructure marker 1, must be 0 (last) or 2 (more)"),
                payload("transform marker neither 0 nor 3", SA, "00000014 01010001 0200000c 01000014 800e0100",
                        "SA proposal 1 transform 1 has last-substructure marker 2, must be 0 (last) or 3 (more)"),
                payload("last transform marked more", SA, "00000014 01010001" + GCM_MORE,
                        "SA proposal 1 transform 1 is the last one but is marked 'more'"),
                payload("transform marked last before another", SA, "00000020 01010002" + GCM_LAST + GCM_LAST,
                        "SA proposal 1 transform 1 is marked last but more follow"),
                payload("proposals numbered out of order", SA,
                        "02000014 01010001" + GCM_LAST + "00000014 03010001" + GCM_LAST,
                        "proposal 2 is numbered 3"),
                payload("proposal number 0", SA, "00000014 00010001" + GCM_LAST, "proposal number 0, must be 1..255"),
                payload("ESP SPI of 3 bytes", SA, "00000017 01030301 aabbcc" + GCM_LAST,
                        "ESP proposal SPI size 3, must be 4"),
                payload("IKE SPI of 4 bytes", SA, "00000018 01010401 aabbccdd" + GCM_LAST,
                        "IKE proposal SPI size 4, must be 0 or 8"),
                payload("Key Length in TLV form", SA, "00000016 01010001 0000000e 01000014 000e0002 0100",
                        "Key Length attribute in TLV form"),
                payload("two Key Lengths", SA, "00000018 01010001 00000010 01000014 800e0100 800e0080",
                        "transform has 2 Key Length attributes"),
                // KE (3.4), ID (3.5), AUTH (3.8), Nonce (3.9).
                payload("KE without data", PayloadType.KE, "001f0000", "key exchange data is empty"),
                payload("KE shorter than its fixed part", PayloadType.KE, "001f", "KE payload reserved field needs 2"),
                payload("IPv4 identity of 5 bytes", PayloadType.IDI, "01000000 0102030405",
                        "IDi payload: ID_IPV4_ADDR of 5 bytes, must be 4"),
                payload("IPv6 identity of 4 bytes", PayloadType.IDR, "05000000 01020304",
                        "IDr payload: ID_IPV6_ADDR of 4 bytes, must be 16"),
                payload("empty FQDN identity", PayloadType.IDI, "02000000", "ID_FQDN identity is empty"),
                payload("AUTH without data", PayloadType.AUTH, "02000000", "authentication data is empty"),
                payload("nonce of 15 bytes", PayloadType.NONCE, Raw.filler(15, 0), "nonce of 15 bytes, must be 16..256"),
                payload("nonce of 257 bytes", PayloadType.NONCE, Raw.filler(257, 0),
                        "nonce of 257 bytes, must be 16..256"),
                // Notify (3.10), Delete (3.11).
                payload("Notify SPI past the payload", PayloadType.NOTIFY, "03084004 0102",
                        "Notify payload SPI of 8 bytes needs 8 bytes"),
                payload("Delete with fewer SPIs than declared", PayloadType.DELETE, "03040002 01020304",
                        "Delete payload declares 2 SPIs of 4 bytes but holds 4 bytes"),
                payload("IKE Delete with an SPI", PayloadType.DELETE, "01040001 01020304",
                        "an IKE SA Delete has SPI size 0 and no SPIs"),
                payload("ESP Delete without SPIs", PayloadType.DELETE, "03040000",
                        "an ESP Delete has SPI size 4 and at least one SPI"),
                // Traffic selectors (3.13).
                payload("IPv4 selector of length 20", PayloadType.TSI, "01000000 07000014 0000ffff 0a000000 0a0000ff "
                        + "00000000", "TS_IPV4_ADDR_RANGE selector length 20, must be 16"),
                payload("IPv6 selector of length 16", PayloadType.TSR, "01000000 08000010 0000ffff 0a000000 0a0000ff",
                        "TS_IPV6_ADDR_RANGE selector length 16, must be 40"),
                payload("unknown selector type", PayloadType.TSI, "01000000 09000010 0000ffff 0a000000 0a0000ff",
                        "TSi payload selector 1 has unknown type 9"),
                payload("fewer selectors than declared", PayloadType.TSI, "02000000" + TS4,
                        "TSi payload declares 2 traffic selectors but holds 1"),
                payload("bytes after the selectors", PayloadType.TSR, "01000000" + TS4 + "00",
                        "TSr payload has 1 bytes after its 1 traffic selectors"),
                payload("no selectors", PayloadType.TSI, "00000000", "TSi payload declares no traffic selectors"),
                payload("selector cut short", PayloadType.TSI, "01000000 07000010 0000ffff 0a",
                        "TSi payload selector 1 of length 16 needs 12 bytes, only 5 left"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformations")
    void isMalformedForItsReason(String rule, byte[] datagram, String reason) {
        DecodeResult r = IkeMessage.decode(datagram, 3000);
        DecodeResult.Malformed m = assertInstanceOf(DecodeResult.Malformed.class, r, rule);
        assertTrue(m.reason().contains(reason), "reason for " + rule + ": " + m.reason());
        assertTrue(m.header().isPresent(), "the header of " + rule + " is kept");
    }

    @Test
    void aDatagramShorterThanTheHeaderHasNoHeader() {
        DecodeResult.Malformed m = assertInstanceOf(DecodeResult.Malformed.class,
                IkeMessage.decode(Arrays.copyOf(nonceMessage(), 27), 3000));
        assertEquals("datagram of 27 bytes is shorter than the 28-byte IKE header", m.reason());
        assertTrue(m.header().isEmpty());
    }

    @Test
    void aMalformedMessageKeepsItsHeaderForTheAnswer() {
        byte[] bad = patch(nonceMessage(), 30, "0003");
        bad = patch(bad, 8, "1122334455667788");
        bad = patch(bad, 20, "00000007");
        DecodeResult.Malformed m = assertInstanceOf(DecodeResult.Malformed.class, IkeMessage.decode(bad, 3000));
        IkeHeader h = m.header().orElseThrow();
        assertEquals(Raw.ISPI, h.initiatorSpi());
        assertEquals(0x1122334455667788L, h.responderSpi());
        assertEquals(7, h.messageId());
    }

    @Test
    void aDatagramOverTheLimitIsRefused() {
        DecodeResult.Malformed m = assertInstanceOf(DecodeResult.Malformed.class,
                IkeMessage.decode(nonceMessage(), 40));
        assertEquals("datagram of 48 bytes exceeds the limit of 40", m.reason());
    }

    @Test
    void aHigherMajorVersionIsReportedWithItsHeaderAndNothingElseIsRead() {
        byte[] v3 = patch(Raw.header(Raw.ISPI, 0, 99, 0x30, 34, 8, 5, 1000), 0, "0102030405060708");
        DecodeResult.UnsupportedMajorVersion u = assertInstanceOf(DecodeResult.UnsupportedMajorVersion.class,
                IkeMessage.decode(v3, 3000));
        assertEquals(3, u.header().majorVersion());
        assertEquals(5, u.header().messageId());
        assertEquals(Raw.ISPI, u.header().initiatorSpi());
    }

    @Test
    void anInnerChainFollowsTheSameRules() {
        byte[] skInSk = Raw.chain(p(PayloadType.ENCRYPTED, "00"));
        assertEquals(new PayloadChain.Result.Malformed(
                "payload 1 (SK): an Encrypted payload inside an Encrypted payload"),
                PayloadChain.decode(PayloadType.ENCRYPTED, skInSk));
        byte[] nonce = Raw.chain(p(PayloadType.NONCE, Raw.filler(8, 0)));
        assertEquals(new PayloadChain.Result.Malformed("Nonce payload: nonce of 8 bytes, must be 16..256 (section 3.9)"),
                PayloadChain.decode(PayloadType.NONCE, nonce));
        byte[] trailing = Raw.concat(Raw.chain(p(PayloadType.VENDOR_ID, "01")), Hex.bytes("00"));
        assertEquals(new PayloadChain.Result.Malformed("1 bytes follow the last payload"),
                PayloadChain.decode(PayloadType.VENDOR_ID, trailing));
        assertEquals(new PayloadChain.Result.Malformed(
                        "payload 1 (Notify): the chain names it but only 0 bytes are left for its 4-byte generic header"),
                PayloadChain.decode(PayloadType.NOTIFY, new byte[0]));
        assertEquals(new PayloadChain.Result.Parsed(java.util.List.of()),
                PayloadChain.decode(PayloadType.NONE, new byte[0]));
    }
}
