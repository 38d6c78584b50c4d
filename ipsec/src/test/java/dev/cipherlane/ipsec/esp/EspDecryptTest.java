package dev.cipherlane.ipsec.esp;

import static dev.cipherlane.ipsec.esp.EspPackets.TUNNEL_A;
import static dev.cipherlane.ipsec.esp.EspPackets.TUNNEL_B;
import static dev.cipherlane.ipsec.esp.EspPackets.concat;
import static dev.cipherlane.ipsec.esp.EspPackets.inner;
import static dev.cipherlane.ipsec.esp.EspPackets.ipip;
import static dev.cipherlane.ipsec.esp.EspPackets.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.crypto.AeadKey;
import dev.cipherlane.ipsec.sa.Direction;
import dev.cipherlane.ipsec.sa.OutboundSequence;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SecurityAssociation;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * esp-decrypt on packets sealed by hand, in the manner of VPP's test_ipsec_esp anti-replay
 * tests: what the window refuses, when it moves, and what the trailer and the outer headers may
 * not be.
 */
class EspDecryptTest {
    private static final String IPIP = "esp-decrypt.ipip";
    private static final String IKE = "esp-decrypt.ike";

    private final EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 64, null);
    private final byte[] inner = ipip(inner(4, 200, 1), 4);

    /** Sealed once per number: a replay is the same bytes again (and engines refuse to reuse a nonce). */
    private final Map<Long, byte[]> sealed = new HashMap<>();

    private byte[] packet(long seq) {
        return sealed.computeIfAbsent(seq,
                s -> loop.incoming(s, payload(Arrays.copyOfRange(inner, 20, inner.length), 4))).clone();
    }

    private void send(StageHarness h, long... seqs) {
        for (long s : seqs) {
            h.run(EspDecrypt.NAME, h.packet(packet(s), 0));
        }
    }

    private SaState inbound() {
        return loop.table.state(loop.inbound);
    }

    @Test
    void decryptedPacketIsTheIpipPacketTaggedWithTheInboundSa() {
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 1);
            byte[] out = h.capturedBytes(IPIP).get(0);
            // Outer header as received (TTL 61, identification 7) with protocol 4 again.
            byte[] expected = concat(EspPackets.ip4Header(0, inner.length, 7, 0x4000, 61, 4, TUNNEL_A, TUNNEL_B),
                    Arrays.copyOfRange(inner, 20, inner.length));
            assertArrayEquals(expected, out);
            int bi = h.captured(IPIP).get(0);
            assertEquals(loop.inbound, h.memory().saIndex(bi));
            assertEquals(h.memory().dataOffset(bi), h.memory().l3Offset(bi));
            assertEquals(0, h.memory().opaque(bi));
        }
    }

    @Test
    void replaysInsideTheWindowAreDroppedAndCounted() {
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 1, 2, 3, 4, 5, 3, 5, 5);
            assertEquals(5, h.captured(IPIP).size());
            assertEquals(3, h.errors(EspDecrypt.NAME, "replay"));
            assertEquals(3, inbound().counters().drops(SaDrop.REPLAY));
            assertEquals(5, inbound().counters().packets());
        }
    }

    @Test
    void packetsBelowTheWindowAreDroppedAsTooOld() {
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 100, 36, 37);
            assertEquals(1, h.errors(EspDecrypt.NAME, "older than the replay window"), "100 - 36 = 64");
            assertEquals(2, h.captured(IPIP).size(), "37 is the lowest number inside a 64-packet window");
            assertEquals(1, inbound().counters().drops(SaDrop.TOO_OLD));
        }
    }

    @Test
    void jumpsAheadAreAcceptedAndMoveTheWindow() {
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 1, 2, 1_000_000, 999_999, 999_937, 999_936, 3);
            assertEquals(5, h.captured(IPIP).size(), "1, 2, the jump, and two inside the window below it");
            assertEquals(2, h.errors(EspDecrypt.NAME, "older than the replay window"), "999936 and 3");
            assertEquals(1_000_000, inbound().window().highest());
        }
    }

    /** RFC 4303 section 3.4.3: a packet whose ICV fails must not move the window, however far ahead it claims to be. */
    @Test
    void aForgedPacketFarAheadDoesNotMoveTheWindow() {
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 100);
            byte[] forged = packet(1_000_000);
            forged[forged.length - 20] ^= 0x40;
            h.run(EspDecrypt.NAME, h.packet(forged, 0));
            assertEquals(1, h.errors(EspDecrypt.NAME, "integrity check failed"));
            assertEquals(100, inbound().window().highest());
            send(h, 50);
            assertEquals(2, h.captured(IPIP).size(), "50 is still inside the window below 100");
            assertEquals(0, h.errors(EspDecrypt.NAME, "older than the replay window"));
            assertEquals(1, inbound().counters().drops(SaDrop.INTEGRITY));
        }
    }

    /** A packet sealed under another key, or with a header changed after sealing, fails the ICV. */
    @Test
    void anyChangeToTheAuthenticatedBytesFailsTheIcv() {
        try (StageHarness h = loop.decryptHarness()) {
            byte[] seqChanged = packet(5);
            seqChanged[20 + 7] = 6;
            byte[] ivChanged = packet(7);
            ivChanged[20 + 15] ^= 1;
            byte[] icvChanged = packet(8);
            icvChanged[icvChanged.length - 1] ^= 1;
            for (byte[] p : List.of(seqChanged, ivChanged, icvChanged)) {
                h.run(EspDecrypt.NAME, h.packet(p, 0));
            }
            assertEquals(3, h.errors(EspDecrypt.NAME, "integrity check failed"));
            assertEquals(0, inbound().window().highest());
        }
    }

    /**
     * The trailer is checked only after the ICV, and the window has taken the number by then
     * (the packet is genuine, just wrong): replaying it is a replay.
     */
    @Test
    void aValidIcvWithACorruptTrailerIsDropped() {
        byte[] body = Arrays.copyOfRange(inner, 20, 199);
        byte[] goodPayload = payload(body, 4);
        assertEquals(3, goodPayload[goodPayload.length - 2], "179 + 2 needs 3 bytes of padding");
        byte[] badPadding = goodPayload.clone();
        badPadding[badPadding.length - 4] = 7;
        byte[] padTooLong = goodPayload.clone();
        padTooLong[padTooLong.length - 2] = (byte) 250;
        byte[] badNext = payload(body, 17);
        try (StageHarness h = loop.decryptHarness()) {
            byte[] first = loop.incoming(1, badPadding);
            h.run(EspDecrypt.NAME, h.packet(first, 0));
            h.run(EspDecrypt.NAME, h.packet(loop.incoming(2, padTooLong), 0));
            h.run(EspDecrypt.NAME, h.packet(loop.incoming(3, badNext), 0));
            assertEquals(2, h.errors(EspDecrypt.NAME, "bad padding"));
            assertEquals(1, h.errors(EspDecrypt.NAME, "bad next header"));
            assertEquals(0, h.errors(EspDecrypt.NAME, "integrity check failed"));
            h.run(EspDecrypt.NAME, h.packet(first, 0));
            assertEquals(1, h.errors(EspDecrypt.NAME, "replay"));
            assertEquals(0, h.captured(IPIP).size());
            assertEquals(2, inbound().counters().drops(SaDrop.BAD_PADDING));
            assertEquals(1, inbound().counters().drops(SaDrop.BAD_NEXT_HEADER));
        }
    }

    /** ESN (RFC 4303 appendix A2): packets on both sides of 2^32, in and out of order. */
    @Test
    void esnAcrossThe32BitBoundary() {
        EspLoop esn = new EspLoop("jdk", true, UdpEncapsulation.NONE, 64, null);
        SaState sa = esn.table.state(esn.inbound);
        sa.window().resumeAfter(0xFFFF_FFF0L);
        byte[] body = payload(Arrays.copyOfRange(inner, 20, inner.length), 4);
        try (StageHarness h = esn.decryptHarness()) {
            byte[] late = esn.incoming(0xFFFF_FFF8L, body);
            h.run(EspDecrypt.NAME, h.packet(esn.incoming(0xFFFF_FFF5L, body), 0));
            h.run(EspDecrypt.NAME, h.packet(esn.incoming(0x1_0000_0002L, body), 0));
            h.run(EspDecrypt.NAME, h.packet(late, 0));
            h.run(EspDecrypt.NAME, h.packet(esn.incoming(0x1_0000_0001L, body), 0));
            assertEquals(4, h.captured(IPIP).size());
            assertEquals(0x1_0000_0002L, sa.window().highest());
            h.run(EspDecrypt.NAME, h.packet(late, 0));
            assertEquals(1, h.errors(EspDecrypt.NAME, "replay"), "the late one again, still recognised");
            // Sealed in subspace 2: the receiver infers subspace 1, so the ICV cannot match.
            h.run(EspDecrypt.NAME, h.packet(esn.incoming(0x2_0000_0003L, body), 0));
            assertEquals(1, h.errors(EspDecrypt.NAME, "integrity check failed"));
        }
    }

    /** Our own sender across the boundary, into a receiver that has been running. */
    @Test
    void esnRoundTripAcrossTheBoundary() {
        EspLoop esn = new EspLoop("bouncycastle", true, UdpEncapsulation.NAT_T, 1024,
                new OutboundSequence(true, 0xFFFF_FFFDL));
        esn.table.state(esn.inbound).window().resumeAfter(0xFFFF_FFFCL);
        try (StageHarness h = esn.roundTripHarness()) {
            for (int i = 0; i < 6; i++) {
                h.run(EspEncrypt.NAME, esn.outgoing(h, inner));
            }
            assertEquals(6, h.captured(IPIP).size());
            for (byte[] p : h.capturedBytes(IPIP)) {
                assertArrayEquals(inner, p);
            }
            assertEquals(0x1_0000_0002L, esn.table.state(esn.inbound).window().highest());
        }
    }

    @Test
    void udpEncapsulatedEspIsDecryptedAndTheNonEspMarkerMeansIke() {
        byte[] esp = EspPackets.esp(loop.testEngine, loop.key(), EspLoop.SPI, 1, false, 1,
                payload(Arrays.copyOfRange(inner, 20, inner.length), 4));
        byte[] ike = concat(new byte[4], new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        try (StageHarness h = loop.decryptHarness()) {
            h.run(EspDecrypt.NAME, h.packet(EspPackets.outer(esp, TUNNEL_A, TUNNEL_B, 31337, 4500), 0));
            byte[] ikePacket = EspPackets.outer(ike, TUNNEL_A, TUNNEL_B, 4500, 4500);
            h.run(EspDecrypt.NAME, h.packet(ikePacket, 0));
            h.run(EspDecrypt.NAME, h.packet(EspPackets.outer(new byte[] {(byte) 0xFF}, TUNNEL_A, TUNNEL_B, 4500, 4500), 0));
            assertEquals(1, h.captured(IPIP).size());
            assertEquals(20 + 200, h.capturedBytes(IPIP).get(0).length);
            assertEquals(4, h.capturedBytes(IPIP).get(0)[9], "protocol 4 again, the UDP header gone");
            assertArrayEquals(ikePacket, h.capturedBytes(IKE).get(0), "IKE is passed on untouched");
            assertEquals(1, h.errors(EspDecrypt.NAME, "nat keepalive"));
        }
    }

    @Test
    void outerHeaderOptionsAreKept() {
        byte[] esp = EspPackets.esp(loop.testEngine, loop.key(), EspLoop.SPI, 1, false, 1,
                payload(Arrays.copyOfRange(inner, 20, inner.length), 4));
        byte[] plain = EspPackets.outer(esp);
        // IHL 6: one 4-byte option (four no-operation bytes, RFC 791 option type 1).
        byte[] withOption = concat(Arrays.copyOfRange(plain, 0, 20), new byte[] {1, 1, 1, 1},
                Arrays.copyOfRange(plain, 20, plain.length));
        withOption[0] = 0x46;
        withOption[2] = (byte) (withOption.length >>> 8);
        withOption[3] = (byte) withOption.length;
        withOption[10] = 0;
        withOption[11] = 0;
        int sum = EspPackets.checksum(withOption, 0, 24);
        withOption[10] = (byte) (sum >>> 8);
        withOption[11] = (byte) sum;
        try (StageHarness h = loop.decryptHarness()) {
            h.run(EspDecrypt.NAME, h.packet(withOption, 0));
            byte[] out = h.capturedBytes(IPIP).get(0);
            assertEquals(24 + 200, out.length);
            assertEquals(0x46, out[0]);
            assertEquals(4, out[9]);
            assertTrue(EspPackets.ip4ChecksumValid(out, 0));
            assertArrayEquals(Arrays.copyOfRange(inner, 20, inner.length),
                    Arrays.copyOfRange(out, 24, out.length));
        }
    }

    @Test
    void malformedAndForeignPacketsAreDroppedByName() {
        byte[] good = packet(1);
        try (StageHarness h = loop.decryptHarness()) {
            h.run(EspDecrypt.NAME, h.packet(new byte[12], 0));
            h.run(EspDecrypt.NAME, h.packet(EspPackets.outer(new byte[20]), 0));
            byte[] v6 = good.clone();
            v6[0] = 0x65;
            h.run(EspDecrypt.NAME, h.packet(v6, 0));
            byte[] longer = good.clone();
            longer[3] = (byte) (longer[3] + 4);
            h.run(EspDecrypt.NAME, h.packet(longer, 0));
            byte[] fragment = good.clone();
            fragment[6] = 0x20;
            h.run(EspDecrypt.NAME, h.packet(fragment, 0));
            byte[] tcp = good.clone();
            tcp[9] = 6;
            h.run(EspDecrypt.NAME, h.packet(tcp, 0));
            byte[] esp = Arrays.copyOfRange(good, 20, good.length);
            h.run(EspDecrypt.NAME, h.packet(EspPackets.outer(esp, TUNNEL_A, TUNNEL_B, 4500, 4501), 0));
            byte[] badUdpLength = EspPackets.outer(esp, TUNNEL_A, TUNNEL_B, 4500, 4500);
            badUdpLength[25] = 8;
            h.run(EspDecrypt.NAME, h.packet(badUdpLength, 0));
            byte[] unknown = good.clone();
            unknown[23] ^= 1;
            h.run(EspDecrypt.NAME, h.packet(unknown, 0));
            h.run(EspDecrypt.NAME, h.packet(concat(good, new byte[5]), 0));

            assertEquals(2, h.errors(EspDecrypt.NAME, "esp runt"));
            assertEquals(1, h.errors(EspDecrypt.NAME, "outer header not ip4"));
            assertEquals(2, h.errors(EspDecrypt.NAME, "outer ip4 length mismatch"));
            assertEquals(1, h.errors(EspDecrypt.NAME, "outer ip4 fragment"));
            assertEquals(2, h.errors(EspDecrypt.NAME, "not esp"));
            assertEquals(1, h.errors(EspDecrypt.NAME, "unknown spi"));
            assertEquals(1, h.captured(IPIP).size(), "link padding after the IP packet is ignored");
        }
    }

    @Test
    void aHardLimitOnTheInboundSaStopsIt() {
        loop.table.replace(loop.inbound, loop.inboundSa.withLimits(SaLimits.packets(0, 2)));
        loop.table.publish();
        try (StageHarness h = loop.decryptHarness()) {
            send(h, 1, 2, 3);
            assertEquals(2, h.captured(IPIP).size());
            assertEquals(1, h.errors(EspDecrypt.NAME, "sa hard limit reached"));
            assertEquals(List.of(new SaEvent(loop.inbound, EspLoop.SPI, SaLimit.HARD_PACKETS)), loop.table.pollEvents());
        }
    }

    @Test
    void withAntiReplayOffReplaysPass() {
        EspLoop off = new EspLoop("jdk", false, UdpEncapsulation.NONE, 0, null);
        byte[] p = off.incoming(3, payload(Arrays.copyOfRange(inner, 20, inner.length), 4));
        try (StageHarness h = off.decryptHarness()) {
            for (int i = 0; i < 3; i++) {
                h.run(EspDecrypt.NAME, h.packet(p, 0));
            }
            assertEquals(3, h.captured(IPIP).size());
        }
    }

    /** More inbound SAs than an engine has cipher slots, their packets interleaved in one frame. */
    @Test
    void manySasInOneFrame() {
        SaTable table = new SaTable();
        int count = 20;
        AeadKey[] keys = new AeadKey[count];
        for (int i = 0; i < count; i++) {
            int sa = table.add(SecurityAssociation.of(0x5000 + i,
                    Direction.INBOUND, EspLoop.keyMaterial(0x5000 + i), i));
            keys[i] = table.state(sa).key();
        }
        table.publish();
        EspDecrypt stage = new EspDecrypt(new EspStageParams(table::current, loop.engines));
        try (StageHarness h = new StageHarness(stage)) {
            int[] frame = new int[3 * count];
            for (int n = 0; n < frame.length; n++) {
                int i = n % count;
                byte[] body = inner(4, 100 + n, n);
                byte[] esp = EspPackets.esp(loop.testEngine, keys[i], 0x5000 + i, 1 + n / count, false, n,
                        payload(body, 4));
                frame[n] = h.packet(EspPackets.outer(esp), 0);
            }
            h.run(EspDecrypt.NAME, frame);
            List<byte[]> out = h.capturedBytes(IPIP);
            assertEquals(frame.length, out.size());
            for (int n = 0; n < frame.length; n++) {
                assertArrayEquals(inner(4, 100 + n, n), Arrays.copyOfRange(out.get(n), 20, out.get(n).length));
                assertEquals(n % count, h.memory().saIndex(h.captured(IPIP).get(n)));
            }
        }
    }

    @Test
    void traceShowsSpiAndSequence() {
        EspDecrypt stage = loop.decrypt();
        try (StageHarness h = new StageHarness(stage)) {
            int bi = h.packet(packet(42), 0);
            String trace = stage.formatTrace(h.memory(), bi);
            assertTrue(trace.contains("spi 0xc1a0 seq 42"), trace);
            h.run(EspDecrypt.NAME, bi);
        }
    }
}
