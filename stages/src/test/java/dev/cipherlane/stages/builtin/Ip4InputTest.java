package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.fixChecksum;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.put16;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ip4InputTest {
    private static final String OUT = "ip4-input.lookup";
    private static final int SRC = addr(192, 168, 1, 9);
    private static final int DST = addr(172, 16, 5, 5);

    private static long dropped(StageHarness h, String reason) {
        return h.errors(Ip4Input.NAME, reason);
    }

    /** Runs one packet alone and returns the drop count under {@code reason} (expected 1). */
    private static void assertDropped(byte[] packet, String reason) {
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            h.run(Ip4Input.NAME, h.packet(packet, 0));
            assertEquals(1, dropped(h, reason), reason);
            assertEquals(0, h.captured(OUT).size());
        }
    }

    @Test
    void validPacketGoesToLookupAnnotated() {
        byte[] p = udp4(SRC, DST, 40000, 53, 64, Ip4TestPackets.DF, 32);
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            int bi = h.packet(p, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            PacketMemory mem = h.memory();
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            assertEquals(mem.dataOffset(bi) + 20, mem.l4Offset(bi));
            assertEquals(FlowHash.hash4(SRC, DST, 17, 40000, 53), mem.flowHash(bi));
            assertFalse(mem.hasFlag(bi, PacketFlags.IP6));
            assertArrayEquals(p, mem.read(bi));
        }
    }

    @Test
    void packetAfterEthernetInputStartsAtTheIpHeader() {
        // What ethernet-input leaves: the L2 header stripped by moving the packet start.
        byte[] l2 = new byte[14];
        l2[12] = 0x08;
        byte[] ip = udp4(SRC, DST, 1, 2, 64, 0, 10);
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            int bi = h.packet(Ip4TestPackets.concat(l2, ip), 0);
            h.memory().push(bi, -14);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            assertEquals(PacketMemory.HEADROOM + 14, h.memory().l3Offset(bi));
            assertEquals(PacketMemory.HEADROOM + 34, h.memory().l4Offset(bi));
        }
    }

    @Test
    void ethernetPaddingIsTrimmedToTotalLength() {
        byte[] p = udp4(SRC, DST, 1, 2, 64, 0, 2); // 30 bytes of IP
        byte[] padded = Arrays.copyOf(p, 46);       // padded to the 60-byte Ethernet minimum
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            int bi = h.packet(padded, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            assertEquals(30, h.memory().length(bi));
            assertArrayEquals(p, h.memory().read(bi));
        }
    }

    @Test
    void ttlIsNotJudgedOnInput() {
        // TTL 0 and 1 may be for us (RFC 1812 section 5.3.1); ip4-rewrite judges forwarded ones.
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            h.run(Ip4Input.NAME, h.packet(udp4(SRC, DST, 1), 0), h.packet(udp4(SRC, DST, 0), 0));
            assertEquals(2, h.captured(OUT).size());
        }
    }

    @Test
    void truncatedFramesAreRunts() {
        byte[] p = udp4(SRC, DST, 64);
        assertDropped(Arrays.copyOf(p, 19), "ip4 runt");
        assertDropped(new byte[0], "ip4 runt");
    }

    @Test
    void versionOtherThanFourIsDropped() {
        byte[] p = udp4(SRC, DST, 64);
        p[0] = 0x65;
        assertDropped(fixChecksum(p), "ip4 bad version");
    }

    @Test
    void headerLengthBelowFiveOrBeyondTheFrameIsDropped() {
        byte[] p = udp4(SRC, DST, 64);
        p[0] = 0x44;
        assertDropped(p, "ip4 bad header length");
        byte[] q = Arrays.copyOf(udp4(SRC, DST, 1, 2, 64, 0, 4), 32); // 32-byte frame, IHL 15 = 60 bytes
        q[0] = 0x4F;
        assertDropped(q, "ip4 bad header length");
    }

    @Test
    void totalLengthThatDisagreesWithTheFrameIsDropped() {
        byte[] longer = udp4(SRC, DST, 64);
        put16(longer, 2, longer.length + 1);
        assertDropped(fixChecksum(longer), "ip4 length mismatch");
        byte[] shorterThanHeader = udp4(SRC, DST, 64);
        put16(shorterThanHeader, 2, 19);
        assertDropped(fixChecksum(shorterThanHeader), "ip4 length mismatch");
        // A truncated frame: the header claims more than arrived.
        byte[] truncated = udp4(SRC, DST, 1, 2, 64, 0, 100);
        assertDropped(Arrays.copyOf(truncated, 60), "ip4 length mismatch");
    }

    @Test
    void badHeaderChecksumIsDropped() {
        byte[] p = udp4(SRC, DST, 64);
        p[11] ^= 1;
        assertDropped(p, "ip4 header checksum error");
        byte[] q = udp4(SRC, DST, 64);
        q[8] = 63; // TTL changed behind the checksum's back
        assertDropped(q, "ip4 header checksum error");
    }

    @Test
    void sourcesThatAreNotOneHostAreDropped() {
        for (int src : new int[] {addr(224, 0, 0, 5), addr(239, 1, 2, 3), addr(255, 255, 255, 255),
                addr(240, 0, 0, 1), addr(127, 0, 0, 1), addr(0, 0, 0, 0)}) {
            assertDropped(udp4(src, DST, 64), "ip4 source address invalid");
        }
    }

    @Test
    void loopbackAndZeroDestinationsAreDropped() {
        assertDropped(udp4(SRC, addr(127, 0, 0, 1), 64), "ip4 destination address invalid");
        assertDropped(udp4(SRC, addr(0, 1, 2, 3), 64), "ip4 destination address invalid");
    }

    @Test
    void optionsAreSteppedOverForTheL4Offset() {
        byte[] p = udp4(SRC, DST, 64);
        byte[] withOptions = new byte[p.length + 4];
        System.arraycopy(p, 0, withOptions, 0, 20);
        withOptions[20] = 1; // four NOP options
        withOptions[21] = 1;
        withOptions[22] = 1;
        withOptions[23] = 1;
        System.arraycopy(p, 20, withOptions, 24, p.length - 20);
        withOptions[0] = 0x46;
        put16(withOptions, 2, withOptions.length);
        fixChecksum(withOptions);
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            int bi = h.packet(withOptions, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            assertEquals(h.memory().dataOffset(bi) + 24, h.memory().l4Offset(bi));
            assertEquals(FlowHash.hash4(SRC, DST, 17, 40000, 53), h.memory().flowHash(bi));
        }
    }

    @Test
    void udpTooShortForPortsHashesWithoutThem() {
        byte[] p = Ip4TestPackets.ip4(SRC, DST, 17, 64, 0, new byte[] {0x12, 0x34});
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            int bi = h.packet(p, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(FlowHash.hash4(SRC, DST, 17, 0, 0), h.memory().flowHash(bi));
        }
    }

    @Test
    void mixedFrameCountsEachReasonOnce() {
        byte[] good = udp4(SRC, DST, 64);
        byte[] badSum = udp4(SRC, DST, 64);
        badSum[10] ^= (byte) 0x80;
        byte[] v6 = udp4(SRC, DST, 64);
        v6[0] = 0x60;
        try (StageHarness h = new StageHarness(new Ip4Input())) {
            h.run(Ip4Input.NAME, h.packet(good, 0), h.packet(new byte[10], 0), h.packet(badSum, 0),
                    h.packet(v6, 0), h.packet(good, 1));
            assertEquals(2, h.captured(OUT).size());
            assertEquals(1, dropped(h, "ip4 runt"));
            assertEquals(1, dropped(h, "ip4 header checksum error"));
            assertEquals(1, dropped(h, "ip4 bad version"));
            assertEquals(0, dropped(h, "ip4 length mismatch"));
            assertTrue(new Ip4Input().formatTrace(h.memory(), h.captured(OUT).get(0)).contains("192.168.1.9 -> 172.16.5.5"));
        }
    }
}
