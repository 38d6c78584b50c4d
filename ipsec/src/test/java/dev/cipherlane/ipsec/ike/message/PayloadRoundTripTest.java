package dev.cipherlane.ipsec.ike.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every payload type through encode and decode, alone and in a message. */
class PayloadRoundTripTest {
    static final IkeHeader AUTH_REQUEST = IkeHeader.of(Raw.ISPI, 0x1122334455667788L, ExchangeType.IKE_AUTH,
            IkeHeader.FLAG_INITIATOR, 1);

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Payload> payloads() {
        return Stream.of(
                SaPayload.of(Proposal.esp(1, 0xC0FFEE01,
                        Transform.of(Transform.ENCR, TransformId.ENCR_AES_GCM_16, 256),
                        Transform.of(Transform.ESN, TransformId.NO_ESN))),
                SaPayload.of(new Proposal(3, ProtocolId.IKE, Octets.ofHex("0102030405060708"), List.of(
                        new Transform(Transform.ENCR, TransformId.ENCR_AES_CBC, List.of(
                                TransformAttribute.keyLength(128),
                                new TransformAttribute(17, false, Octets.ofHex("abcdef")),
                                new TransformAttribute(18, true, Octets.ofHex("0102")))),
                        Transform.of(Transform.PRF, TransformId.PRF_HMAC_SHA2_256),
                        Transform.of(Transform.INTEG, TransformId.AUTH_HMAC_SHA2_256_128),
                        Transform.of(Transform.KE, TransformId.MODP_2048)))),
                new KePayload(TransformId.ECP_256, Octets.ofHex(Raw.filler(64, 1))),
                IdPayload.address(Side.INITIATOR, ip("192.0.2.1")),
                IdPayload.address(Side.RESPONDER, ip("2001:db8::1")),
                IdPayload.fqdn(Side.INITIATOR, "node-a.cluster.example"),
                IdPayload.rfc822(Side.RESPONDER, "ike@node-b.example"),
                IdPayload.keyId(Side.INITIATOR, Octets.ofHex("00ff10")),
                new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.ofHex(Raw.filler(32, 9))),
                new NoncePayload(Octets.ofHex(Raw.filler(16, 0))),
                new NoncePayload(Octets.ofHex(Raw.filler(256, 0))),
                NotifyPayload.of(NotifyType.INITIAL_CONTACT),
                NotifyPayload.aboutChild(ProtocolId.ESP, 0x01020304, NotifyType.REKEY_SA),
                NotifyPayload.of(NotifyType.COOKIE, Octets.ofHex(Raw.filler(20, 7))),
                NotifyPayload.of(NotifyType.SIGNATURE_HASH_ALGORITHMS, Octets.ofHex("000200030004")),
                DeletePayload.ike(),
                DeletePayload.esp(0x11111111, 0x22222222, 0x33333333),
                new VendorIdPayload(Octets.ofHex("882fe56d6fd20dbc2251613b2ebe5beb")),
                TrafficSelectorPayload.of(Side.INITIATOR,
                        TrafficSelector.range(0, ip("10.1.0.0"), ip("10.1.255.255")),
                        TrafficSelector.range(17, 4500, 4500, ip("192.0.2.7"), ip("192.0.2.7"))),
                TrafficSelectorPayload.of(Side.RESPONDER,
                        TrafficSelector.range(6, 0xFFFF, 0, ip("fd00::"), ip("fd00::ffff"))),
                new ConfigurationPayload(Octets.ofHex("01000000")),
                new EncryptedPayload(PayloadType.IDI, Octets.ofHex(Raw.filler(72, 3))),
                new EncryptedPayload(PayloadType.NONE, Octets.ofHex(Raw.filler(24, 5))));
    }

    @ParameterizedTest
    @MethodSource("payloads")
    void aMessageWithThePayloadDecodesToItself(Payload p) {
        IkeMessage m = IkeMessage.of(AUTH_REQUEST, p);
        byte[] wire = m.encode();
        assertEquals(wire.length, m.header().length());
        assertEquals(p.type(), wire[16] & 0xFF, "the header names the payload");
        IkeMessage back = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 65535)).message();
        assertEquals(m, back);
        assertArrayEquals(wire, back.encode());
    }

    @Test
    void allPayloadsBarSkInOneInnerChain() {
        List<Payload> inner = payloads().filter(p -> !(p instanceof EncryptedPayload)).toList();
        byte[] plaintext = PayloadChain.encode(inner);
        PayloadChain.Result r = PayloadChain.decode(PayloadChain.firstType(inner), plaintext);
        assertEquals(inner, assertInstanceOf(PayloadChain.Result.Parsed.class, r).payloads());
    }

    @Test
    void allPayloadsInOneMessageWithSkLast() {
        List<Payload> list = new ArrayList<>(payloads().filter(p -> !(p instanceof EncryptedPayload)).toList());
        list.add(new EncryptedPayload(PayloadType.NOTIFY, Octets.ofHex("00")));
        IkeMessage all = new IkeMessage(AUTH_REQUEST, list);
        byte[] wire = all.encode();
        IkeMessage back = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 65535)).message();
        assertEquals(all, back);
        assertArrayEquals(wire, back.encode());
    }

    @Test
    void helpersGiveBackWhatTheyWereGiven() {
        assertEquals(ip("192.0.2.1"), IdPayload.address(Side.INITIATOR, ip("192.0.2.1")).address());
        assertEquals(ip("2001:db8::1"), IdPayload.address(Side.INITIATOR, ip("2001:db8::1")).address());
        assertEquals("node-a.example", IdPayload.fqdn(Side.INITIATOR, "node-a.example").text());
        assertEquals(PayloadType.IDR, IdPayload.fqdn(Side.RESPONDER, "b").type());
        assertArrayEquals(new int[] {7, -1}, DeletePayload.esp(7, -1).childSpis());
        // The JDK turns a mapped address into an Inet4Address; read from the wire it stays IPv6.
        Octets mapped = Octets.ofHex("00000000000000000000ffff0a000001");
        TrafficSelector ts = new TrafficSelector(TrafficSelector.TS_IPV6_ADDR_RANGE, 0, 0, 0xFFFF, mapped, mapped);
        assertEquals(16, ts.start().getAddress().length, "a mapped address stays IPv6");
        IdPayload id = new IdPayload(Side.INITIATOR, IdPayload.ID_IPV6_ADDR, mapped);
        assertEquals(16, id.address().getAddress().length);
        assertThrows(IllegalArgumentException.class, () -> IdPayload.fqdn(Side.INITIATOR, "a b"));
        assertThrows(IllegalArgumentException.class, () -> new NoncePayload(Octets.ofHex(Raw.filler(15, 0))));
        assertThrows(IllegalArgumentException.class,
                () -> IkeMessage.of(AUTH_REQUEST, new EncryptedPayload(0, Octets.EMPTY), DeletePayload.ike()));
        assertThrows(IllegalArgumentException.class,
                () -> PayloadChain.encode(List.of(new EncryptedPayload(0, Octets.EMPTY))));
    }

    /**
     * The crypto layer's path, with an identity "cipher": 8 bytes of IV, the inner chain, 16
     * bytes of ICV. Encode the inner chain, wrap it in SK, send; receive, take SK's body and
     * decode the middle from the first inner type.
     */
    @Test
    void innerPayloadsTravelThroughAnSkPayload() {
        List<Payload> inner = List.of(IdPayload.fqdn(Side.INITIATOR, "node-a"),
                new AuthPayload(AuthPayload.SHARED_KEY_MIC, Octets.ofHex(Raw.filler(32, 0))),
                TrafficSelectorPayload.of(Side.INITIATOR, TrafficSelector.range(0, ip("10.1.0.0"), ip("10.1.0.255"))));
        byte[] plain = PayloadChain.encode(inner);
        byte[] body = new byte[8 + plain.length + 16];
        System.arraycopy(plain, 0, body, 8, plain.length);
        byte[] wire = IkeMessage.of(AUTH_REQUEST, new EncryptedPayload(PayloadChain.firstType(inner), Octets.of(body)))
                .encode();

        IkeMessage got = assertInstanceOf(DecodeResult.Decoded.class, IkeMessage.decode(wire, 3000)).message();
        EncryptedPayload sk = got.first(EncryptedPayload.class).orElseThrow();
        assertEquals(PayloadType.IDI, sk.firstInnerType());
        byte[] received = sk.body().toByteArray();
        assertArrayEquals(body, received);
        PayloadChain.Result r = PayloadChain.decode(sk.firstInnerType(),
                java.nio.ByteBuffer.wrap(received, 8, received.length - 8 - 16));
        assertEquals(inner, assertInstanceOf(PayloadChain.Result.Parsed.class, r).payloads());
    }

    @Test
    void aPayloadMustFitItsSixteenBitLength() {
        Payload largest = new VendorIdPayload(Octets.of(new byte[0xFFFF - 4]));
        assertEquals(28 + 0xFFFF, IkeMessage.of(AUTH_REQUEST, largest).header().length());
        Payload tooLong = new VendorIdPayload(Octets.of(new byte[0xFFFF - 3]));
        assertThrows(IllegalArgumentException.class, () -> IkeMessage.of(AUTH_REQUEST, tooLong));
    }

    @Test
    void messageIdAndFlagsUseTheirWholeRange() {
        IkeHeader h = IkeHeader.of(Raw.ISPI, -1L, ExchangeType.INFORMATIONAL,
                IkeHeader.FLAG_RESPONSE | IkeHeader.FLAG_VERSION, 0xFFFF_FFFFL);
        IkeMessage m = IkeMessage.of(h, new EncryptedPayload(PayloadType.NONE, Octets.ofHex(Raw.filler(32, 0))));
        IkeHeader back = ((DecodeResult.Decoded) IkeMessage.decode(m.encode(), 1280)).message().header();
        assertEquals(0xFFFF_FFFFL, back.messageId());
        assertEquals(-1L, back.responderSpi());
        assertEquals(true, back.response());
        assertEquals(true, back.higherVersionSupported());
        assertEquals(false, back.initiator());
        assertEquals(m.header(), back);
    }
}
