package dev.cipherlane.ipsec.esp;

import static dev.cipherlane.ipsec.esp.EspPackets.concat;
import static dev.cipherlane.ipsec.esp.EspPackets.inner;
import static dev.cipherlane.ipsec.esp.EspPackets.ipip;
import static dev.cipherlane.ipsec.esp.EspPackets.u16;
import static dev.cipherlane.ipsec.esp.EspPackets.u32;
import static dev.cipherlane.ipsec.esp.EspPackets.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.ipsec.sa.OutboundSequence;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaEvent;
import dev.cipherlane.ipsec.sa.SaLimit;
import dev.cipherlane.ipsec.sa.SaLimits;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.ipsec.sa.SequenceSource;
import dev.cipherlane.ipsec.sa.UdpEncapsulation;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.testing.StageHarness;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EspEncryptTest {
    private static final String OUT = "esp-encrypt.rewrite";

    /**
     * The whole output, byte for byte, against a packet built here from RFC 4303, 4106 and 3948
     * with the engine alone: outer header (length, protocol, checksum; the rest kept), UDP header,
     * SPI, sequence number, IV = the sequence number, sealed payload with padding 1, 2, 3..., and
     * the ICV.
     */
    @ParameterizedTest(name = "udp={0} esn={1} inner {2} bytes ip{3}")
    @CsvSource({
        "false, false, 1, 4", "false, false, 2, 4", "false, false, 3, 4", "false, false, 4, 4",
        "false, false, 37, 6", "true, false, 100, 4", "false, true, 1400, 4", "true, true, 1399, 6",
    })
    void outputIsTheEspPacketTheRfcsDescribe(boolean udp, boolean esn, int size, int version) {
        UdpEncapsulation encapsulation = udp ? new UdpEncapsulation(4500, 31337) : UdpEncapsulation.NONE;
        EspLoop loop = new EspLoop("jdk", esn, encapsulation);
        int protocol = version == 4 ? 4 : 41;
        byte[] in = ipip(inner(version, size, size), protocol);
        try (StageHarness h = loop.encryptHarness()) {
            int first = loop.outgoing(h, in);
            PacketMemory mem = h.memory();
            mem.nextHop(first, 17);
            mem.txInterface(first, 2);
            mem.flowHash(first, 0xCAFE);
            h.run(EspEncrypt.NAME, first, loop.outgoing(h, in));
            List<byte[]> out = h.capturedBytes(OUT);
            assertEquals(2, out.size());
            for (int i = 0; i < 2; i++) {
                long seq = i + 1;
                byte[] esp = EspPackets.esp(loop.testEngine, loop.key(), EspLoop.SPI, seq, esn, seq,
                        EspPackets.payload(inner(version, size, size), protocol));
                byte[] expected = udp
                        ? EspPackets.outer(esp, EspPackets.TUNNEL_A, EspPackets.TUNNEL_B, 4500, 31337)
                        : EspPackets.outer(esp);
                // The outer header is ipip-encap's: identification 0, TTL 64.
                byte[] header = EspPackets.ip4Header(0, expected.length, 0, 0x4000, 64, udp ? 17 : 50,
                        EspPackets.TUNNEL_A, EspPackets.TUNNEL_B);
                System.arraycopy(header, 0, expected, 0, 20);
                assertArrayEquals(expected, out.get(i), "packet " + seq);
                assertEquals(0, (expected.length - 20 - (udp ? 8 : 0) - 16 - 16) % 4, "payload ends on 4 bytes");
            }
            int bi = h.captured(OUT).get(0);
            assertEquals(17, mem.nextHop(bi));
            assertEquals(2, mem.txInterface(bi));
            assertEquals(0xCAFE, mem.flowHash(bi));
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
        }
    }

    @Test
    void packetsWithoutAUsableOutboundSaAreDroppedNeverSentInClear() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        byte[] in = ipip(inner(4, 100, 1), 4);
        try (StageHarness h = loop.encryptHarness()) {
            for (int sa : new int[] {-1, loop.inbound, 99, Integer.MIN_VALUE}) {
                int bi = h.packet(in, 1);
                h.memory().saIndex(bi, sa);
                h.run(EspEncrypt.NAME, bi);
            }
            assertEquals(4, h.errors(EspEncrypt.NAME, "no outbound sa"));
            assertEquals(0, h.captured(OUT).size());
        }
    }

    @Test
    void sequenceNumbersWithoutEsnStopAtTheEndInsteadOfWrapping() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, new OutboundSequence(false, 0xFFFF_FFFEL));
        byte[] in = ipip(inner(4, 64, 2), 4);
        try (StageHarness h = loop.encryptHarness()) {
            for (int i = 0; i < 4; i++) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, in));
            }
            List<byte[]> out = h.capturedBytes(OUT);
            assertEquals(2, out.size());
            assertEquals(0xFFFF_FFFE, u32(out.get(0), 24));
            assertEquals(0xFFFF_FFFF, u32(out.get(1), 24));
            assertEquals(2, h.errors(EspEncrypt.NAME, "sequence number exhausted"));
            SaState sa = loop.table.state(loop.outbound);
            assertEquals(2, sa.counters().drops(SaDrop.SEQUENCE_EXHAUSTED));
            assertEquals(2, sa.counters().packets());
        }
    }

    /** With ESN the low half on the wire wraps to 0 while the IV, the full number, goes on. */
    @Test
    void esnCarriesOnAcrossTheLow32BitBoundary() {
        EspLoop loop = new EspLoop("jdk", true, UdpEncapsulation.NONE, 1024, new OutboundSequence(true, 0xFFFF_FFFEL));
        byte[] in = ipip(inner(4, 64, 3), 4);
        try (StageHarness h = loop.encryptHarness()) {
            for (int i = 0; i < 4; i++) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, in));
            }
            List<byte[]> out = h.capturedBytes(OUT);
            assertEquals(4, out.size());
            long[] expected = {0xFFFF_FFFEL, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L};
            for (int i = 0; i < 4; i++) {
                assertEquals((int) expected[i], u32(out.get(i), 24), "sequence number field, low half");
                assertEquals(expected[i], u64(out.get(i), 28), "IV");
                byte[] esp = EspPackets.esp(loop.testEngine, loop.key(), EspLoop.SPI, expected[i], true, expected[i],
                        EspPackets.payload(inner(4, 64, 3), 4));
                byte[] tail = Arrays.copyOfRange(out.get(i), 20, out.get(i).length);
                assertArrayEquals(esp, tail, "AAD with the high half (RFC 4106 section 5)");
            }
        }
    }

    @Test
    void refusalsOfAStaticKeySequenceSourceAreNamed() {
        long[] answers = {SequenceSource.PENDING, SequenceSource.CLOSED, 7};
        int[] call = {0};
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE, 1024, () -> answers[call[0]++]);
        byte[] in = ipip(inner(4, 64, 4), 4);
        try (StageHarness h = loop.encryptHarness()) {
            for (int i = 0; i < 3; i++) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, in));
            }
            assertEquals(1, h.errors(EspEncrypt.NAME, "sequence reservation pending"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "sequence reservation closed"));
            assertEquals(7, u32(h.capturedBytes(OUT).get(0), 24));
        }
    }

    @Test
    void reachingTheHardPacketLimitEndsTheSa() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        loop.table.replace(loop.outbound, loop.outboundSa.withLimits(SaLimits.packets(2, 3)));
        loop.table.publish();
        byte[] in = ipip(inner(4, 64, 5), 4);
        try (StageHarness h = loop.encryptHarness()) {
            for (int i = 0; i < 5; i++) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, in));
            }
            assertEquals(3, h.captured(OUT).size());
            assertEquals(2, h.errors(EspEncrypt.NAME, "sa hard limit reached"));
            assertEquals(List.of(new SaEvent(loop.outbound, EspLoop.SPI, SaLimit.SOFT_PACKETS),
                    new SaEvent(loop.outbound, EspLoop.SPI, SaLimit.HARD_PACKETS)), loop.table.pollEvents());
        }
    }

    @Test
    void reachingTheHardByteLimitEndsTheSa() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        loop.table.replace(loop.outbound, loop.outboundSa.withLimits(SaLimits.bytes(0, 250)));
        loop.table.publish();
        try (StageHarness h = loop.encryptHarness()) {
            for (int i = 0; i < 4; i++) {
                h.run(EspEncrypt.NAME, loop.outgoing(h, ipip(inner(4, 100, i), 4)));
            }
            assertEquals(3, h.captured(OUT).size(), "100 + 100 + 100 inner bytes reach 250 with the third");
            assertEquals(1, h.errors(EspEncrypt.NAME, "sa hard limit reached"));
            assertEquals(List.of(new SaEvent(loop.outbound, EspLoop.SPI, SaLimit.HARD_BYTES)), loop.table.pollEvents());
        }
    }

    @Test
    void malformedInputIsDroppedByName() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NAT_T);
        byte[] good = ipip(inner(4, 100, 6), 4);
        try (StageHarness h = loop.encryptHarness()) {
            PacketMemory mem = h.memory();
            byte[] options = good.clone();
            options[0] = 0x46;
            h.run(EspEncrypt.NAME, loop.outgoing(h, options));
            h.run(EspEncrypt.NAME, loop.outgoing(h, new byte[] {0x45, 0, 0}));
            byte[] longer = good.clone();
            longer[3] = (byte) (longer[3] + 1);
            h.run(EspEncrypt.NAME, loop.outgoing(h, longer));
            byte[] udp = good.clone();
            udp[9] = 17;
            h.run(EspEncrypt.NAME, loop.outgoing(h, udp));
            int gso = loop.outgoing(h, good);
            mem.gsoSize(gso, 1400);
            h.run(EspEncrypt.NAME, gso);

            int cramped = h.buffers().allocSmall();
            mem.dataOffset(cramped, 16);
            mem.write(cramped, good);
            mem.saIndex(cramped, loop.outbound);
            h.run(EspEncrypt.NAME, cramped);

            int full = h.buffers().allocSmall();
            mem.dataOffset(full, mem.bufferBytes(full) - good.length - 10);
            mem.write(full, good);
            mem.saIndex(full, loop.outbound);
            h.run(EspEncrypt.NAME, full);

            // 65491 bytes with UDP: 24 bytes in front and 21 behind make 65536 > 65535.
            int big = h.buffers().allocLarge();
            byte[] huge = ipip(inner(4, 65_471, 7), 4);
            mem.dataOffset(big, 24);
            mem.write(big, huge);
            mem.saIndex(big, loop.outbound);
            h.run(EspEncrypt.NAME, big);

            assertEquals(2, h.errors(EspEncrypt.NAME, "outer header not ip4 without options"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "outer ip4 length mismatch"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "not an ipip packet"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "gso packet not segmented"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "no headroom for esp header"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "no tailroom for esp trailer"));
            assertEquals(1, h.errors(EspEncrypt.NAME, "packet too big for esp"));
            assertEquals(0, h.captured(OUT).size());
            assertEquals(0, loop.table.state(loop.outbound).counters().packets(), "no sequence number was spent");
            assertEquals(1, loop.table.state(loop.outbound).sequence().next());
        }
    }

    @Test
    void linkPaddingAfterTheIpPacketIsLeftOut() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        byte[] in = ipip(inner(4, 60, 8), 4);
        try (StageHarness h = new StageHarness(loop.encrypt(), loop.decrypt())
                .connect(EspEncrypt.NAME, "rewrite", EspDecrypt.NAME)) {
            h.run(EspEncrypt.NAME, loop.outgoing(h, concat(in, new byte[6])));
            assertArrayEquals(in, h.capturedBytes("esp-decrypt.ipip").get(0));
        }
    }

    @Test
    void aWorkerWithoutAnEngineDropsInsteadOfFailing() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        SaTable table = loop.table;
        EspEncrypt stage = new EspEncrypt(new EspStageParams(table::current, loop.engines));
        try (StageHarness h = new StageHarness(stage)) {
            h.runtime();
            int bi = loop.outgoing(h, ipip(inner(4, 60, 9), 4));
            // The harness is worker 0; a second worker's runtime would need engines.get(1).
            GraphRuntime other = new GraphRuntime(
                    h.runtime().graph(), h.memory(), h.buffers(), 1);
            other.inject(EspEncrypt.NAME, bi);
            other.dispatch();
            assertEquals(1, RuntimeReport.errorCount(List.of(other), EspEncrypt.NAME,
                    "no crypto engine for worker"));
        }
    }

    @Test
    void traceNamesTheSaAndTheTunnel() {
        EspLoop loop = new EspLoop("jdk", false, UdpEncapsulation.NONE);
        EspEncrypt stage = loop.encrypt();
        try (StageHarness h = new StageHarness(stage)) {
            int bi = loop.outgoing(h, ipip(inner(4, 60, 10), 4));
            String trace = stage.formatTrace(h.memory(), bi);
            assertTrue(trace.contains("sa " + loop.outbound), trace);
            assertTrue(trace.contains("192.168.50.1 -> 192.168.50.2 proto 4"), trace);
            h.run(EspEncrypt.NAME, bi);
        }
    }

    /** RFC 3948 section 2.1: ports from the SA, length covering ESP, checksum zero. */
    @Test
    void udpHeaderCarriesTheSasPortsAndAZeroChecksum() {
        EspLoop loop = new EspLoop("jdk", false, new UdpEncapsulation(4500, 1027));
        try (StageHarness h = loop.encryptHarness()) {
            h.run(EspEncrypt.NAME, loop.outgoing(h, ipip(inner(4, 77, 11), 4)));
            byte[] out = h.capturedBytes(OUT).get(0);
            ByteBuffer b = ByteBuffer.wrap(out);
            assertEquals(17, out[9]);
            assertEquals(4500, u16(out, 20));
            assertEquals(1027, u16(out, 22));
            assertEquals(out.length - 20, u16(out, 24));
            assertEquals(0, b.getShort(26));
            assertEquals(EspLoop.SPI, u32(out, 28));
            assertTrue(EspPackets.ip4ChecksumValid(out, 0));
        }
    }
}
