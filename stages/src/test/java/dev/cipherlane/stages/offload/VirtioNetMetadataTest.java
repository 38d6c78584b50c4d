package dev.cipherlane.stages.offload;

import static dev.cipherlane.stages.offload.TcpPackets.pattern;
import static dev.cipherlane.stages.offload.TcpPackets.timestamps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtioNetMetadataTest {
    private static final String PROBE = "virtio-probe";

    /**
     * What a tap input does with the header: parse it from just in front of the frame and
     * drop the frame under the returned code.
     */
    static final class Probe extends Stage<Stage.NoParams> {
        /** Next arcs, in index order. */
        enum Arcs implements NextArc { OUT }

        Probe() {
            super(StageSpec.of(PROBE, Arcs.class, VirtioNetMetadata.Errors.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            PacketMemory mem = ctx.memory();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.get(i);
                int code = VirtioNetMetadata.parse(mem, bi, mem.start(bi) - VirtioNetHeader.LEGACY_SIZE);
                if (code == VirtioNetMetadata.OK) {
                    ctx.enqueue(Arcs.OUT, bi);
                } else {
                    ctx.drop(bi, code);
                }
            }
        }
    }

    /** A 10-byte header written out field by field, little-endian as the tap uses it. */
    static byte[] header(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        return new byte[] {
            (byte) flags, (byte) gsoType,
            (byte) hdrLen, (byte) (hdrLen >>> 8),
            (byte) gsoSize, (byte) (gsoSize >>> 8),
            (byte) csumStart, (byte) (csumStart >>> 8),
            (byte) csumOffset, (byte) (csumOffset >>> 8)};
    }

    /** An Ethernet frame carrying a TCP/IPv4 segment with timestamps ({@code payload} bytes). */
    static byte[] frame(int payload) {
        TcpPackets.Segment s = new TcpPackets.Segment();
        s.options = timestamps(1, 2);
        s.payload = pattern(payload, 1);
        byte[] ip = s.bytes();
        byte[] f = new byte[Ethernet.HEADER_LENGTH + ip.length];
        f[12] = 0x08;
        System.arraycopy(ip, 0, f, Ethernet.HEADER_LENGTH, ip.length);
        return f;
    }

    /** The frame in a buffer with {@code header} just in front of it, as readv would put it. */
    static int withHeader(StageHarness h, byte[] frame, byte[] header) {
        int bi = h.packet(frame, 0);
        MemorySegment.copy(header, 0, h.memory().data(), ValueLayout.JAVA_BYTE,
                h.memory().start(bi) - VirtioNetHeader.LEGACY_SIZE, header.length);
        return bi;
    }

    private static byte[] written(PacketMemory mem, int bi, long at) {
        byte[] out = new byte[VirtioNetHeader.LEGACY_SIZE];
        MemorySegment.copy(mem.data(), ValueLayout.JAVA_BYTE, at, out, 0, out.length);
        return out;
    }

    @Test
    void tcpGsoHeaderParsesIntoMetadataAndWritesBackIdentically() {
        byte[] original = header(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN,
                Ethernet.HEADER_LENGTH + 20 + 32, 1448, Ethernet.HEADER_LENGTH + 20, 16);
        assertEquals((byte) 0xA8, original[4], "gso_size 1448 is little-endian on the wire");
        try (StageHarness h = new StageHarness(new Probe())) {
            int bi = withHeader(h, frame(4000), original);
            h.run(PROBE, bi);
            assertEquals(List.of(bi), h.captured(PROBE + ".out"));
            PacketMemory mem = h.memory();
            assertEquals(0x81, mem.gsoType(bi));
            assertEquals(1448, mem.gsoSize(bi));
            assertTrue(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertFalse(mem.hasFlag(bi, PacketFlags.CSUM_VALID));
            assertEquals(PacketMemory.HEADROOM + Ethernet.HEADER_LENGTH + 20, mem.csumStart(bi), "buffer-relative");
            assertEquals(16, mem.csumOffset(bi));

            // Stages strip and restore the Ethernet header; csumStart does not move with them.
            mem.push(bi, -Ethernet.HEADER_LENGTH);
            assertEquals(20, mem.csumStart(bi) - mem.dataOffset(bi), "still the TCP header");
            mem.push(bi, Ethernet.HEADER_LENGTH);

            long at = mem.start(bi) - 64;
            assertEquals(VirtioNetMetadata.OK, VirtioNetMetadata.write(mem, bi, at));
            assertArrayEquals(original, written(mem, bi, at));
        }
    }

    @Test
    void plainAndValidatedFramesRoundTrip() {
        byte[] none = header(0, 0, 0, 0, 0, 0);
        byte[] valid = header(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0);
        byte[] partial = header(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, Ethernet.HEADER_LENGTH + 20, 16);
        try (StageHarness h = new StageHarness(new Probe())) {
            int a = withHeader(h, frame(100), none);
            int b = withHeader(h, frame(100), valid);
            int c = withHeader(h, frame(100), partial);
            h.run(PROBE, a, b, c);
            PacketMemory mem = h.memory();
            assertEquals(List.of(a, b, c), h.captured(PROBE + ".out"));
            assertEquals(0, mem.flags(a) & (PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID));
            assertTrue(mem.hasFlag(b, PacketFlags.CSUM_VALID));
            assertTrue(mem.hasFlag(c, PacketFlags.NEEDS_CSUM));
            assertEquals(0, mem.gsoSize(c));
            int[] bis = {a, b, c};
            byte[][] headers = {none, valid, partial};
            for (int i = 0; i < 3; i++) {
                long at = mem.start(bis[i]) - 32;
                assertEquals(VirtioNetMetadata.OK, VirtioNetMetadata.write(mem, bis[i], at));
                assertArrayEquals(headers[i], written(mem, bis[i], at));
            }
        }
    }

    @Test
    void needsCsumWinsOverDataValidAndStaleStateIsCleared() {
        byte[] both = header(VirtioNetHeader.F_NEEDS_CSUM | VirtioNetHeader.F_DATA_VALID, 0, 0, 0, Ethernet.HEADER_LENGTH + 20, 16);
        try (StageHarness h = new StageHarness(new Probe())) {
            int bi = withHeader(h, frame(10), both);
            h.memory().setFlag(bi, PacketFlags.CSUM_VALID);
            h.run(PROBE, bi);
            assertTrue(h.memory().hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertFalse(h.memory().hasFlag(bi, PacketFlags.CSUM_VALID));
        }
    }

    @Test
    void gsoSizeWithoutGsoTypeIsIgnored() {
        try (StageHarness h = new StageHarness(new Probe())) {
            int bi = withHeader(h, frame(10), header(0, 0, 0, 1448, 0, 0));
            h.run(PROBE, bi);
            assertEquals(List.of(bi), h.captured(PROBE + ".out"));
            assertEquals(0, h.memory().gsoSize(bi));
        }
    }

    @Test
    void eachMalformedHeaderIsCountedUnderItsName() {
        int length = Ethernet.HEADER_LENGTH + 20 + 32 + 100;
        try (StageHarness h = new StageHarness(new Probe())) {
            int unknownType = withHeader(h, frame(100), header(0, 2, 0, 1448, 0, 0));
            int udpL4 = withHeader(h, frame(100), header(0, 5, 0, 1448, 0, 0));
            int sizeZero = withHeader(h, frame(100), header(1, VirtioNetHeader.GSO_TCPV6, 0, 0, 34, 16));
            int ecnAlone = withHeader(h, frame(100), header(0, VirtioNetHeader.GSO_ECN, 0, 0, 0, 0));
            int ecnUdp = withHeader(h, frame(100),
                    header(0, VirtioNetHeader.GSO_UDP | VirtioNetHeader.GSO_ECN, 0, 1400, 0, 0));
            int csumPast = withHeader(h, frame(100), header(1, 0, 0, 0, length - 17, 16));
            int hdrLenPast = withHeader(h, frame(100), header(0, 0, length + 1, 0, 0, 0));
            int csumAtEnd = withHeader(h, frame(100), header(1, 0, 0, 0, length - 18, 16));
            int hdrLenAtEnd = withHeader(h, frame(100), header(0, 0, length, 0, 0, 0));
            h.run(PROBE, unknownType, udpL4, sizeZero, ecnAlone, ecnUdp, csumPast, hdrLenPast, csumAtEnd, hdrLenAtEnd);
            assertEquals(List.of(csumAtEnd, hdrLenAtEnd), h.captured(PROBE + ".out"), "limits are inclusive");
            assertEquals(2, h.errors(PROBE, "virtio-net gso type unknown"));
            assertEquals(1, h.errors(PROBE, "virtio-net gso size invalid"));
            assertEquals(2, h.errors(PROBE, "virtio-net ecn without tcp gso"));
            assertEquals(1, h.errors(PROBE, "virtio-net checksum beyond packet"));
            assertEquals(1, h.errors(PROBE, "virtio-net header length beyond packet"));
        }
    }

    @Test
    void udpGsoIsParsedForTheSegmentationStageToRefuse() {
        try (StageHarness h = new StageHarness(new Probe())) {
            int bi = withHeader(h, frame(100), header(1, VirtioNetHeader.GSO_UDP, 0, 1400, 34, 6));
            h.run(PROBE, bi);
            assertEquals(VirtioNetHeader.GSO_UDP, h.memory().gsoType(bi));
        }
    }

    @Test
    void writeRefusesMetadataItCannotExpress() {
        try (PacketMemory mem = new PacketMemory(8, 1); BufferCache cache = mem.newCache()) {
            int bi = cache.allocSmall();
            mem.write(bi, frame(100));
            long at = mem.start(bi) - 16;

            mem.gsoSize(bi, 1448);
            mem.gsoType(bi, VirtioNetHeader.GSO_TCPV4);
            assertEquals(VirtioNetMetadata.GSO_WITHOUT_PARTIAL_CHECKSUM, VirtioNetMetadata.write(mem, bi, at));

            mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) - 2);
            mem.csumOffset(bi, 16);
            assertEquals(VirtioNetMetadata.CHECKSUM_BEYOND_PACKET, VirtioNetMetadata.write(mem, bi, at));

            mem.csumStart(bi, mem.dataOffset(bi) + Ethernet.HEADER_LENGTH + 20);
            mem.gsoType(bi, VirtioNetHeader.GSO_NONE);
            assertEquals(VirtioNetMetadata.GSO_TYPE_UNKNOWN, VirtioNetMetadata.write(mem, bi, at));

            mem.gsoType(bi, VirtioNetHeader.GSO_UDP | VirtioNetHeader.GSO_ECN);
            assertEquals(VirtioNetMetadata.ECN_WITHOUT_TCP, VirtioNetMetadata.write(mem, bi, at));

            mem.gsoType(bi, VirtioNetHeader.GSO_TCPV4);
            assertEquals(VirtioNetMetadata.OK, VirtioNetMetadata.write(mem, bi, at));
            assertArrayEquals(header(1, 1, Ethernet.HEADER_LENGTH + 20 + 32, 1448, Ethernet.HEADER_LENGTH + 20, 16), written(mem, bi, at));
            cache.free(bi);
        }
    }
}
