package dev.cipherlane.stages.offload;

import static dev.cipherlane.stages.offload.TcpPackets.ACK;
import static dev.cipherlane.stages.offload.TcpPackets.CWR;
import static dev.cipherlane.stages.offload.TcpPackets.ECE;
import static dev.cipherlane.stages.offload.TcpPackets.FIN;
import static dev.cipherlane.stages.offload.TcpPackets.PSH;
import static dev.cipherlane.stages.offload.TcpPackets.get16;
import static dev.cipherlane.stages.offload.TcpPackets.get32;
import static dev.cipherlane.stages.offload.TcpPackets.ip4HeaderChecksumOk;
import static dev.cipherlane.stages.offload.TcpPackets.pattern;
import static dev.cipherlane.stages.offload.TcpPackets.pseudoHeaderSum;
import static dev.cipherlane.stages.offload.TcpPackets.put16;
import static dev.cipherlane.stages.offload.TcpPackets.tcpChecksum;
import static dev.cipherlane.stages.offload.TcpPackets.timestamps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.testing.StageHarness;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpSegmentationTest {
    private static final String OUT = "gso.out";
    private static final String GSO = TcpSegmentation.NAME;

    /** The super-packet {@code s} as a pod's kernel hands it over: partial checksum, GSO metadata. */
    static int superPacket(StageHarness h, TcpPackets.Segment s, int mss) {
        byte[] bytes = s.bytes();
        int tcp = s.ipHeaderLength();
        put16(bytes, tcp + 16, pseudoHeaderSum(bytes, bytes.length - tcp));
        int bi = h.packet(bytes, 3);
        PacketMemory mem = h.memory();
        mem.gsoSize(bi, mss);
        mem.gsoType(bi, s.ip6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4);
        mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
        mem.csumStart(bi, mem.dataOffset(bi) + tcp);
        mem.csumOffset(bi, 16);
        mem.txInterface(bi, 7);
        mem.nextHop(bi, 42);
        mem.flowHash(bi, 0x5eed);
        return bi;
    }

    /** What segment {@code i} of {@code count} cut from {@code s} must be, built independently. */
    static byte[] expectedSegment(TcpPackets.Segment s, int mss, int i, int count) {
        TcpPackets.Segment e = s.copy();
        e.sequence = s.sequence + i * mss;
        e.id = (s.id + i) & 0xFFFF;
        e.payload = Arrays.copyOfRange(s.payload, i * mss, Math.min(s.payload.length, (i + 1) * mss));
        if (i > 0) {
            e.flags &= ~CWR;
        }
        if (i < count - 1) {
            e.flags &= ~(FIN | PSH);
        }
        return e.bytes();
    }

    /** Checks every segment field by field and byte for byte; returns the payloads joined. */
    private static byte[] checkSegments(StageHarness h, TcpPackets.Segment s, int mss, int count) {
        List<Integer> out = h.captured(OUT);
        assertEquals(count, out.size(), "segments");
        PacketMemory mem = h.memory();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int tcp = s.ipHeaderLength();
        int headers = s.headersLength();
        for (int i = 0; i < count; i++) {
            int bi = out.get(i);
            byte[] seg = mem.read(bi);
            int payload = Math.min(mss, s.payload.length - i * mss);
            assertEquals(headers + payload, seg.length, "segment " + i + " length");
            if (s.ip6) {
                assertEquals(seg.length - 40, get16(seg, 4), "IPv6 payload length");
            } else {
                assertEquals(seg.length, get16(seg, 2), "IPv4 total length");
                assertEquals((s.id + i) & 0xFFFF, get16(seg, 4), "IPv4 identification id + i");
                assertEquals(s.fragment, get16(seg, 6), "flags and fragment offset kept");
                assertTrue(ip4HeaderChecksumOk(seg), "IPv4 header checksum of segment " + i);
            }
            assertEquals(s.sequence + i * mss, get32(seg, tcp + 4), "sequence number");
            assertEquals(s.ack, get32(seg, tcp + 8), "acknowledgment number");
            int flags = seg[tcp + 13] & 0xFF;
            assertEquals(i == 0 && (s.flags & CWR) != 0, (flags & CWR) != 0, "CWR on the first segment only");
            assertEquals(i == count - 1 && (s.flags & FIN) != 0, (flags & FIN) != 0, "FIN on the last only");
            assertEquals(i == count - 1 && (s.flags & PSH) != 0, (flags & PSH) != 0, "PSH on the last only");
            assertEquals(s.flags & (ACK | ECE), flags & (ACK | ECE), "other flags kept");
            assertArrayEquals(s.options, Arrays.copyOfRange(seg, tcp + 20, tcp + 20 + s.options.length),
                    "TCP options on every segment");
            assertEquals(tcpChecksum(seg, tcp), get16(seg, tcp + 16), "TCP checksum of segment " + i);
            assertArrayEquals(expectedSegment(s, mss, i, count), seg, "segment " + i + " byte for byte");
            joined.writeBytes(Arrays.copyOfRange(seg, headers, seg.length));

            assertEquals(0, mem.gsoSize(bi));
            assertEquals(0, mem.gsoType(bi));
            assertFalse(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertTrue(mem.hasFlag(bi, PacketFlags.CSUM_VALID));
            assertEquals(s.ip6, mem.hasFlag(bi, PacketFlags.IP6));
            assertEquals(3, mem.rxInterface(bi));
            assertEquals(7, mem.txInterface(bi));
            assertEquals(42, mem.nextHop(bi));
            assertEquals(0x5eed, mem.flowHash(bi));
            assertEquals(PacketMemory.HEADROOM, mem.dataOffset(bi));
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            assertEquals(mem.dataOffset(bi) + tcp, mem.l4Offset(bi));
            assertEquals(0, mem.opaque(bi), "chain link cleared");
        }
        return joined.toByteArray();
    }

    @Test
    void ipv4SuperPacketWithTimestampsIsCutIntoMssSegments() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.options = timestamps(0x01020304, 0x0a0b0c0d);
        s.payload = pattern(5000, 1);
        s.flags = ACK | PSH | FIN | CWR | ECE;
        s.id = 0xFFFE; // wraps across segments
        s.sequence = 0xFFFF_F000; // wraps too
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            int bi = superPacket(h, s, 1448);
            h.run(GSO, bi);
            byte[] joined = checkSegments(h, s, 1448, 4);
            assertArrayEquals(s.payload, joined, "payload survives segmentation");
            for (int seg : h.captured(OUT)) {
                assertEquals(SizeClass.SMALL, h.memory().sizeClass(seg));
            }
            assertEquals(4, h.memory().inUse(), "super-packet freed, segments held by the capture");
            assertEquals(1, h.errors(GSO, "gso super-packets segmented"));
            assertEquals(4, h.errors(GSO, "gso segments out"));
        }
    }

    @Test
    void ipv4OptionsAreCopiedAndEveryHeaderChecksumIsRight() {
        // Header checksums are derived from one sum per super-packet: vary every header word
        // it covers, options included, and check each segment against an independent sum.
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.ip4Options = new byte[] {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}; // Router Alert, NOPs, EOL
        s.tos = 0xB8;
        s.ttl = 255;
        s.source4 = TcpPackets.addr(255, 255, 255, 254);
        s.destination4 = TcpPackets.addr(0, 0, 0, 1);
        s.id = 0xFFFF;
        s.payload = pattern(9001, 11);
        s.flags = ACK | PSH;
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 1000));
            assertArrayEquals(s.payload, checkSegments(h, s, 1000, 10));
            for (int seg : h.captured(OUT)) {
                assertEquals(28, h.memory().l4Offset(seg) - h.memory().l3Offset(seg));
            }
        }
    }

    @Test
    void ipv6SuperPacketWithShortLastSegment() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.ip6 = true;
        s.options = timestamps(77, 99);
        s.payload = pattern(3500, 2);
        s.flags = ACK | PSH;
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 1000));
            assertArrayEquals(s.payload, checkSegments(h, s, 1000, 4));
        }
    }

    @Test
    void ipv6HopByHopHeaderIsCopiedToEverySegment() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.ip6 = true;
        s.hopByHop = new byte[] {0, 0, 1, 4, 0, 0, 0, 0}; // PadN over the remaining bytes
        s.payload = pattern(2500, 3);
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 1200));
            assertArrayEquals(s.payload, checkSegments(h, s, 1200, 3));
        }
    }

    @Test
    void jumboMssSegmentsGoIntoLargeBuffers() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(20000, 4);
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 8948));
            assertArrayEquals(s.payload, checkSegments(h, s, 8948, 3));
            for (int seg : h.captured(OUT)) {
                assertEquals(SizeClass.LARGE, h.memory().sizeClass(seg));
            }
        }
    }

    @Test
    void moreSegmentsThanAFrameHoldLeaveInOrder() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(30000, 5);
        s.flags = ACK | FIN;
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 100));
            assertArrayEquals(s.payload, checkSegments(h, s, 100, 300));
        }
    }

    @Test
    void superPacketOfOneSegmentIsFinishedInPlace() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(900, 6);
        s.flags = ACK | PSH | CWR;
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            int bi = superPacket(h, s, 1448);
            h.run(GSO, bi);
            assertEquals(List.of(bi), h.captured(OUT), "same buffer");
            assertArrayEquals(s.bytes(), h.memory().read(bi), "full checksum replaces the partial one");
            assertEquals(0, h.memory().gsoSize(bi));
            assertTrue(h.memory().hasFlag(bi, PacketFlags.CSUM_VALID));
            assertFalse(h.memory().hasFlag(bi, PacketFlags.NEEDS_CSUM));
        }
    }

    @Test
    void packetsWithoutGsoPassUnchanged() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(600, 7);
        byte[] partial = s.bytes();
        put16(partial, 36, pseudoHeaderSum(partial, partial.length - 20));
        try (StageHarness h = new StageHarness(new TcpSegmentation(new TcpSegmentation.Params(false)))) {
            int plain = h.packet(s.bytes(), 0);
            int needs = h.packet(partial, 0);
            h.memory().setFlag(needs, PacketFlags.NEEDS_CSUM);
            h.memory().csumStart(needs, h.memory().dataOffset(needs) + 20);
            h.memory().csumOffset(needs, 16);
            h.run(GSO, plain, needs);
            assertEquals(List.of(plain, needs), h.captured(OUT));
            assertArrayEquals(s.bytes(), h.memory().read(plain));
            assertArrayEquals(partial, h.memory().read(needs), "partial checksum left for the next hop");
            assertTrue(h.memory().hasFlag(needs, PacketFlags.NEEDS_CSUM));
        }
    }

    @Test
    void partialChecksumIsCompletedWhenTheNextHopCannot() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.ip6 = true;
        s.payload = pattern(601, 8); // odd length: the last byte is padded
        byte[] partial = s.bytes();
        put16(partial, 56, pseudoHeaderSum(partial, partial.length - 40));
        try (StageHarness h = new StageHarness(new TcpSegmentation(new TcpSegmentation.Params(true)))) {
            int bi = h.packet(partial, 0);
            PacketMemory mem = h.memory();
            // Ethernet header stripped after tap input: csumStart stays buffer-relative.
            mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + 40);
            mem.csumOffset(bi, 16);
            h.run(GSO, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            byte[] out = mem.read(bi);
            assertEquals(tcpChecksum(out, 40), get16(out, 56));
            assertArrayEquals(s.bytes(), out);
            assertTrue(mem.hasFlag(bi, PacketFlags.CSUM_VALID));
            assertFalse(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertEquals(1, h.errors(GSO, "gso checksums completed"));
        }
    }

    @Test
    void partialChecksumOutsideThePacketIsDropped() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            int bi = h.packet(s.bytes(), 0);
            h.memory().setFlag(bi, PacketFlags.NEEDS_CSUM);
            h.memory().csumStart(bi, h.memory().dataOffset(bi) + 30);
            h.memory().csumOffset(bi, 16);
            h.run(GSO, bi);
            assertEquals(List.of(), h.captured(OUT));
            assertEquals(1, h.errors(GSO, "gso partial checksum outside packet"));
        }
    }

    @Test
    void malformedSuperPacketsAreCountedDrops() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(4000, 9);
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            PacketMemory mem = h.memory();
            int sizeZero = superPacket(h, s, 1448);
            mem.gsoSize(sizeZero, 0);
            int sizeWithoutType = superPacket(h, s, 1448);
            mem.gsoType(sizeWithoutType, VirtioNetHeader.GSO_NONE);
            int udpType = superPacket(h, s, 1448);
            mem.gsoType(udpType, VirtioNetHeader.GSO_UDP);
            byte[] udp = s.bytes();
            udp[9] = 17;
            int udpProtocol = h.packet(udp, 0);
            mem.gsoSize(udpProtocol, 1448);
            mem.gsoType(udpProtocol, VirtioNetHeader.GSO_TCPV4);
            byte[] truncated = Arrays.copyOf(s.bytes(), 20 + 12);
            put16(truncated, 2, truncated.length);
            int shortTcp = h.packet(truncated, 0);
            mem.gsoSize(shortTcp, 1448);
            mem.gsoType(shortTcp, VirtioNetHeader.GSO_TCPV4);
            byte[] longHeader = Arrays.copyOf(s.bytes(), 60);
            longHeader[32] = (byte) 0xF0; // TCP data offset 60 bytes in a 40-byte TCP part
            put16(longHeader, 2, longHeader.length);
            int optionsPastEnd = h.packet(longHeader, 0);
            mem.gsoSize(optionsPastEnd, 1448);
            mem.gsoType(optionsPastEnd, VirtioNetHeader.GSO_TCPV4);
            int versionMismatch = superPacket(h, s, 1448);
            mem.gsoType(versionMismatch, VirtioNetHeader.GSO_TCPV6);
            int hugeMss = superPacket(h, s, 65500);

            h.run(GSO, sizeZero, sizeWithoutType, udpType, udpProtocol, shortTcp, optionsPastEnd,
                    versionMismatch, hugeMss);
            assertEquals(List.of(), h.captured(OUT));
            assertEquals(3, h.errors(GSO, "gso bad gso size"));
            assertEquals(2, h.errors(GSO, "gso not tcp"));
            assertEquals(2, h.errors(GSO, "gso header truncated"));
            assertEquals(1, h.errors(GSO, "gso bad ip header"));
        }
    }

    /** Issue: gso_size 1 made one 64 KB super-packet ~65,000 segments, the whole pool. */
    @Test
    void aTinyGsoSizeIsRefusedAndThePoolIsUntouched() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(60000, 11);
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            int baseline = h.memory().inUse();
            h.run(GSO, superPacket(h, s, 1), superPacket(h, s, 47));
            assertEquals(List.of(), h.captured(OUT));
            assertEquals(2, h.errors(GSO, "gso size below 48"));
            assertEquals(baseline, h.memory().inUse(), "the super-packets dropped, no segment cut");
        }
    }

    @Test
    void moreSegmentsThanTheCapAreRefused() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(60000, 12);
        try (StageHarness h = new StageHarness(new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 100)); // 600 segments
            assertEquals(List.of(), h.captured(OUT));
            assertEquals(1, h.errors(GSO, "gso more than 512 segments"));
            assertEquals(0, h.memory().inUse());
            h.run(GSO, superPacket(h, s, 120)); // 500 segments: within the cap
            assertEquals(500, h.captured(OUT).size());
            assertEquals(1, h.errors(GSO, "gso super-packets segmented"));
        }
    }

    @Test
    void runningOutOfBuffersDropsTheWholeSuperPacket() {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.payload = pattern(7000, 10);
        try (StageHarness h = new StageHarness(4, 2, new TcpSegmentation())) {
            h.run(GSO, superPacket(h, s, 1448)); // 5 segments, 4 small buffers
            assertEquals(List.of(), h.captured(OUT));
            assertEquals(1, h.errors(GSO, "no buffer for segment"));
            assertEquals(0, h.memory().inUse(), "segments already cut were freed with the super-packet");
        }
    }
}
