package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.put16;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.hi;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.ip6;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.lo;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.stages.wire.Ip6;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ip6InputTest {
    private static final String OUT = "ip6-input.lookup";
    private static final byte[] SRC = addr("2001:db8:1::9");
    private static final byte[] DST = addr("2001:db8:e::5");

    private static void assertDropped(byte[] packet, String reason) {
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            h.run(Ip6Input.NAME, h.packet(packet, 0));
            assertEquals(1, h.errors(Ip6Input.NAME, reason), reason);
            assertEquals(0, h.captured(OUT).size());
        }
    }

    private static long hash(byte[] src, byte[] dst, int protocol, int sport, int dport) {
        return FlowHash.hash6(hi(src), lo(src), hi(dst), lo(dst), protocol, sport, dport);
    }

    @Test
    void validPacketGoesToLookupAnnotated() {
        byte[] p = udp6(SRC, DST, 40000, 53, 64, 32);
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            int bi = h.packet(p, 0);
            h.run(Ip6Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            PacketMemory mem = h.memory();
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            assertEquals(mem.dataOffset(bi) + 40, mem.l4Offset(bi));
            assertEquals(hash(SRC, DST, 17, 40000, 53), mem.flowHash(bi));
            assertTrue(mem.hasFlag(bi, PacketFlags.IP6));
            assertArrayEquals(p, mem.read(bi));
        }
    }

    @Test
    void paddingIsTrimmedToPayloadLength() {
        byte[] p = udp6(SRC, DST, 1, 2, 64, 0);
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            int bi = h.packet(Arrays.copyOf(p, p.length + 6), 0);
            h.run(Ip6Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            assertArrayEquals(p, h.memory().read(bi));
        }
    }

    @Test
    void hopLimitIsNotJudgedOnInput() {
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            h.run(Ip6Input.NAME, h.packet(udp6(SRC, DST, 1, 2, 1, 8), 0), h.packet(udp6(SRC, DST, 1, 2, 0, 8), 0));
            assertEquals(2, h.captured(OUT).size());
        }
    }

    @Test
    void truncatedFramesAreRunts() {
        assertDropped(Arrays.copyOf(udp6(SRC, DST, 1, 2, 64, 8), 39), "ip6 runt");
        assertDropped(new byte[1], "ip6 runt");
    }

    @Test
    void versionOtherThanSixIsDropped() {
        byte[] p = udp6(SRC, DST, 1, 2, 64, 8);
        p[0] = 0x45;
        assertDropped(p, "ip6 bad version");
    }

    @Test
    void payloadLengthBeyondTheFrameIsDropped() {
        byte[] p = udp6(SRC, DST, 1, 2, 64, 8);
        put16(p, 4, 17);
        assertDropped(p, "ip6 length mismatch");
        assertDropped(Arrays.copyOf(udp6(SRC, DST, 1, 2, 64, 100), 60), "ip6 length mismatch");
    }

    @Test
    void multicastAndLoopbackSourcesAreDropped() {
        assertDropped(udp6(addr("ff02::1"), DST, 1, 2, 64, 8), "ip6 source address invalid");
        assertDropped(udp6(addr("::1"), DST, 1, 2, 64, 8), "ip6 source address invalid");
    }

    @Test
    void unspecifiedAndLoopbackDestinationsAreDropped() {
        assertDropped(udp6(SRC, addr("::"), 1, 2, 64, 8), "ip6 destination address invalid");
        assertDropped(udp6(SRC, addr("::1"), 1, 2, 64, 8), "ip6 destination address invalid");
    }

    @Test
    void hopByHopIsSteppedOverForTheL4Offset() {
        byte[] udp = Arrays.copyOfRange(udp6(SRC, DST, 40000, 53, 64, 8), 40, 56);
        byte[] hbh = new byte[8 + udp.length];
        hbh[0] = 17;  // next header UDP
        hbh[1] = 0;   // 8 bytes
        hbh[2] = 1;   // PadN option, 4 bytes of padding
        hbh[3] = 4;
        System.arraycopy(udp, 0, hbh, 8, udp.length);
        byte[] p = ip6(SRC, DST, Ip6.HOP_BY_HOP, 64, hbh);
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            int bi = h.packet(p, 0);
            h.run(Ip6Input.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            assertEquals(h.memory().dataOffset(bi) + 48, h.memory().l4Offset(bi));
            assertEquals(hash(SRC, DST, 17, 40000, 53), h.memory().flowHash(bi));
        }
    }

    @Test
    void extensionHeaderRunningPastThePacketIsDropped() {
        byte[] hbh = new byte[8];
        hbh[0] = 17;
        hbh[1] = 3; // claims 32 bytes, 8 are there
        assertDropped(ip6(SRC, DST, Ip6.HOP_BY_HOP, 64, hbh), "ip6 extension header truncated");
    }

    @Test
    void fragmentsHashWithoutPorts() {
        byte[] frag = new byte[8 + 16];
        frag[0] = 17;
        frag[3] = 1; // offset 0, M flag: first fragment
        put16(frag, 8, 40000);
        put16(frag, 10, 53);
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            int bi = h.packet(ip6(SRC, DST, Ip6.FRAGMENT, 64, frag), 0);
            h.run(Ip6Input.NAME, bi);
            assertEquals(hash(SRC, DST, 17, 0, 0), h.memory().flowHash(bi));
            assertEquals(h.memory().dataOffset(bi) + 48, h.memory().l4Offset(bi));
        }
    }

    @Test
    void mixedFrameCountsEachReasonOnce() {
        byte[] good = udp6(SRC, DST, 1, 2, 64, 8);
        byte[] v4 = good.clone();
        v4[0] = 0x45;
        try (StageHarness h = new StageHarness(new Ip6Input())) {
            h.run(Ip6Input.NAME, h.packet(good, 0), h.packet(new byte[20], 0), h.packet(v4, 0), h.packet(good, 2));
            assertEquals(2, h.captured(OUT).size());
            assertEquals(1, h.errors(Ip6Input.NAME, "ip6 runt"));
            assertEquals(1, h.errors(Ip6Input.NAME, "ip6 bad version"));
            assertTrue(new Ip6Input().formatTrace(h.memory(), h.captured(OUT).get(0)).contains("2001:db8:1::9 -> 2001:db8:e::5"));
        }
    }
}
