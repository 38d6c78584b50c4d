package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.DF;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.get16;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.get32;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.icmp4;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.put16;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.referenceChecksum;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Icmp4ErrorTest {
    private static final int SENDER = addr(192, 168, 1, 9);
    private static final int ROUTER = addr(10, 0, 0, 1); // primary address of rx interface 0
    private static final String OUT = "icmp4-error.lookup";
    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(11, 0, 0);

    private final IpTestNetwork net = new IpTestNetwork();

    private Icmp4Error stage() {
        return new Icmp4Error(new Icmp4Error.Params(net.interfaces));
    }

    private static int invoke(StageHarness h, byte[] packet, int rx, int request) {
        int bi = h.packet(packet, rx);
        h.memory().opaque(bi, request);
        return bi;
    }

    /** Checks the error's IP and ICMP headers field by field and returns its quote. */
    private static byte[] checkError(byte[] out, int type, int code, int fourBytes, int destination) {
        assertEquals(0x45, out[0] & 0xFF, "version 4, IHL 5");
        assertEquals(0xC0, out[1] & 0xFF, "precedence 6");
        assertEquals(out.length, get16(out, 2), "total length");
        assertEquals(0, get16(out, 4), "identification");
        assertEquals(0x4000, get16(out, 6), "DF, offset 0");
        assertEquals(64, out[8] & 0xFF, "TTL");
        assertEquals(1, out[9], "protocol ICMP");
        assertEquals(ROUTER, get32(out, 12), "source");
        assertEquals(destination, get32(out, 16), "destination");
        byte[] header = Arrays.copyOf(out, 20);
        put16(header, 10, 0);
        assertEquals(referenceChecksum(header, 0, 20), get16(out, 10), "IP header checksum");
        assertEquals(type, out[20] & 0xFF, "type");
        assertEquals(code, out[21] & 0xFF, "code");
        byte[] icmp = Arrays.copyOfRange(out, 20, out.length);
        put16(icmp, 2, 0);
        assertEquals(referenceChecksum(icmp, 0, icmp.length), get16(out, 22), "ICMP checksum");
        assertEquals(fourBytes, get32(out, 24), "unused / next-hop MTU word");
        return Arrays.copyOfRange(out, 28, out.length);
    }

    @Test
    void timeExceededIsBuiltInPlaceByteByByte() {
        byte[] original = udp4(SENDER, addr(172, 16, 5, 5), 40000, 53, 1, DF, 32);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = invoke(h, original, 0, TIME_EXCEEDED);
            int offsetBefore = h.memory().dataOffset(bi);
            h.run(Icmp4Error.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            byte[] out = h.memory().read(bi);
            assertEquals(28 + original.length, out.length);
            assertArrayEquals(original, checkError(out, 11, 0, 0, SENDER), "quote is the whole packet");
            PacketMemory mem = h.memory();
            assertEquals(offsetBefore - 28, mem.dataOffset(bi), "headers went into the headroom");
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            assertEquals(mem.dataOffset(bi) + 20, mem.l4Offset(bi));
            assertEquals(FlowHash.hash4(ROUTER, SENDER, 1, 0, 0), mem.flowHash(bi));
            assertEquals(0, mem.opaque(bi));
        }
    }

    @Test
    void fragmentationNeededCarriesTheMtuAndQuotesUpTo576Bytes() {
        byte[] original = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, DF, 1373);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = invoke(h, original, 0, IcmpErrorRequest.encode(3, 4, 1400));
            h.run(Icmp4Error.NAME, bi);
            byte[] out = h.memory().read(bi);
            assertEquals(576, out.length);
            byte[] quote = checkError(out, 3, 4, 1400, SENDER);
            assertArrayEquals(Arrays.copyOf(original, 548), quote);
        }
    }

    @Test
    void quoteSlidesRightWhenHeadroomIsShort() {
        byte[] original = udp4(SENDER, addr(172, 16, 5, 5), 1);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = h.buffers().allocSmall();
            h.memory().dataOffset(bi, 10);
            h.memory().write(bi, original);
            h.memory().opaque(bi, TIME_EXCEEDED);
            h.run(Icmp4Error.NAME, bi);
            assertEquals(0, h.memory().dataOffset(bi));
            assertArrayEquals(original, checkError(h.memory().read(bi), 11, 0, 0, SENDER));
        }
    }

    @Test
    void noErrorAboutIcmpErrorsOrUnknownTypesButQueriesAreAnswered() {
        try (StageHarness h = new StageHarness(stage())) {
            int timeExceeded = invoke(h, icmp4(SENDER, addr(172, 16, 5, 5), 11, 0, 1), 0, TIME_EXCEEDED);
            int unreachable = invoke(h, icmp4(SENDER, addr(172, 16, 5, 5), 3, 1, 1), 0, TIME_EXCEEDED);
            int unknown = invoke(h, icmp4(SENDER, addr(172, 16, 5, 5), 42, 0, 1), 0, TIME_EXCEEDED);
            int noType = invoke(h, Ip4TestPackets.ip4(SENDER, addr(172, 16, 5, 5), 1, 1, 0, new byte[0]), 0,
                    TIME_EXCEEDED);
            int echo = invoke(h, icmp4(SENDER, addr(172, 16, 5, 5), 8, 0, 1), 0, TIME_EXCEEDED);
            h.run(Icmp4Error.NAME, timeExceeded, unreachable, unknown, noType, echo);
            assertEquals(4, h.errors(Icmp4Error.NAME, "icmp error suppressed"));
            assertEquals(List.of(echo), h.captured(OUT));
        }
    }

    @Test
    void noErrorAboutNonUnicastSourcesBroadcastsOrLaterFragments() {
        byte[] laterFragment = udp4(SENDER, addr(172, 16, 5, 5), 1, 2, 1, 185, 16);
        byte[] firstFragment = udp4(SENDER, addr(172, 16, 5, 5), 1, 2, 1, 0x2000, 16);
        try (StageHarness h = new StageHarness(stage())) {
            int multicastSource = invoke(h, udp4(addr(224, 0, 0, 9), addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED);
            int zeroSource = invoke(h, udp4(0, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED);
            int loopbackSource = invoke(h, udp4(addr(127, 0, 0, 1), addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED);
            int broadcast = invoke(h, udp4(SENDER, addr(255, 255, 255, 255), 1), 0, TIME_EXCEEDED);
            int multicast = invoke(h, udp4(SENDER, addr(239, 1, 1, 1), 1), 0, TIME_EXCEEDED);
            int later = invoke(h, laterFragment, 0, TIME_EXCEEDED);
            int first = invoke(h, firstFragment, 0, TIME_EXCEEDED);
            h.run(Icmp4Error.NAME, multicastSource, zeroSource, loopbackSource, broadcast, multicast, later, first);
            assertEquals(6, h.errors(Icmp4Error.NAME, "icmp error suppressed"));
            assertEquals(List.of(first), h.captured(OUT));
        }
    }

    @Test
    void rateLimitedPerWorkerByTokenBucket() {
        try (StageHarness h = new StageHarness(new Icmp4Error(new Icmp4Error.Params(net.interfaces, 1, 3)))) {
            int[] bis = new int[5];
            for (int i = 0; i < bis.length; i++) {
                bis[i] = invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED);
            }
            h.run(Icmp4Error.NAME, bis);
            assertEquals(3, h.captured(OUT).size());
            assertEquals(2, h.errors(Icmp4Error.NAME, "icmp rate limited"));
        }
    }

    @Test
    void rateLimitRefillsWithTime() throws InterruptedException {
        try (StageHarness h = new StageHarness(new Icmp4Error(new Icmp4Error.Params(net.interfaces, 1000, 1)))) {
            h.run(Icmp4Error.NAME, invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED),
                    invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED));
            assertEquals(1, h.captured(OUT).size());
            assertEquals(1, h.errors(Icmp4Error.NAME, "icmp rate limited"));
            Thread.sleep(20); // 20 ms at 1000/s refills the bucket (capped at its burst of 1)
            h.runtime().poll(0); // a new dispatch round reads the clock
            h.run(Icmp4Error.NAME, invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED),
                    invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, TIME_EXCEEDED));
            assertEquals(2, h.captured(OUT).size());
            assertEquals(2, h.errors(Icmp4Error.NAME, "icmp rate limited"));
        }
    }

    @Test
    void interfaceWithoutAddressBadRequestsAndMalformedPackets() {
        byte[] v6 = udp4(SENDER, addr(172, 16, 5, 5), 1);
        v6[0] = 0x65;
        try (StageHarness h = new StageHarness(stage())) {
            int bare = invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 3, TIME_EXCEEDED);
            int unknownInterface = invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 42, TIME_EXCEEDED);
            int noRequest = invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, 0);
            int echoReply = invoke(h, udp4(SENDER, addr(172, 16, 5, 5), 1), 0, IcmpErrorRequest.encode(8, 0, 0));
            int runt = invoke(h, new byte[12], 0, TIME_EXCEEDED);
            int wrongVersion = invoke(h, v6, 0, TIME_EXCEEDED);
            h.run(Icmp4Error.NAME, bare, unknownInterface, noRequest, echoReply, runt, wrongVersion);
            assertEquals(2, h.errors(Icmp4Error.NAME, "icmp no source address"));
            assertEquals(2, h.errors(Icmp4Error.NAME, "icmp error type not supported"));
            assertEquals(2, h.errors(Icmp4Error.NAME, "icmp invoking packet malformed"));
            assertEquals(0, h.captured(OUT).size());
        }
    }

    @Test
    void parametersAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new Icmp4Error(new Icmp4Error.Params(null)));
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
                () -> new Icmp4Error(new Icmp4Error.Params(net.interfaces, 0, 5)));
        IllegalArgumentException burst = assertThrows(IllegalArgumentException.class,
                () -> new Icmp4Error(new Icmp4Error.Params(net.interfaces, 10, 0)));
        // Shared validation still names this family's settings.
        assertTrue(rate.getMessage().startsWith(Icmp4Error.ERRORS_PER_SECOND + " "), rate.getMessage());
        assertTrue(burst.getMessage().startsWith(Icmp4Error.BURST + " "), burst.getMessage());
    }

    /** The whole loop: input -> lookup -> rewrite -> icmp4-error -> lookup -> rewrite -> wire. */
    private StageHarness router() {
        return new StageHarness(new Ip4Input(), net.ip4Lookup(), net.ip4Rewrite(), stage())
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", Ip4Rewrite.NAME)
                .connect(Ip4Rewrite.NAME, "icmp-error", Icmp4Error.NAME)
                .connect(Icmp4Error.NAME, "lookup", Ip4Lookup.NAME);
    }

    @Test
    void expiredPacketIsAnsweredToItsSenderOnTheWire() {
        byte[] original = udp4(SENDER, addr(172, 16, 5, 5), 40000, 53, 1, DF, 32);
        try (StageHarness h = router()) {
            int bi = h.packet(original, 0);
            h.run(Ip4Input.NAME, bi);
            assertEquals(List.of(bi), h.captured("ip4-rewrite.tx"));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "ttl expired"));
            byte[] frame = h.memory().read(bi);
            // The sender 192.168.1.9 is behind neighbour A.
            assertArrayEquals(IpTestNetwork.MAC_A, Arrays.copyOf(frame, 6));
            byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
            assertEquals(0, referenceChecksum(ip, 0, 20), "header checksum valid after the decrement");
            assertEquals(63, ip[8] & 0xFF, "TTL 64, decremented once on the way out");
            ip[8] = 64;
            assertArrayEquals(original, checkError(Ip4TestPackets.fixChecksum(ip), 11, 0, 0, SENDER));
        }
    }

    @Test
    void oversizedPacketIsAnsweredWithFragmentationNeeded() {
        byte[] original = udp4(SENDER, addr(192, 168, 2, 5), 1, 2, 64, DF, 1373);
        try (StageHarness h = router()) {
            int bi = h.packet(original, 0);
            h.run(Ip4Input.NAME, bi);
            byte[] ip = Arrays.copyOfRange(h.memory().read(bi), 14, 14 + 576);
            assertEquals(0, referenceChecksum(ip, 0, 20), "header checksum valid after the decrement");
            ip[8]++;
            byte[] quote = checkError(Ip4TestPackets.fixChecksum(ip), 3, 4, 1400, SENDER);
            assertArrayEquals(Arrays.copyOf(original, 548), quote);
        }
    }

    @Test
    void anExpiringIcmpErrorIsNotAnswered() {
        try (StageHarness h = router()) {
            h.run(Ip4Input.NAME, h.packet(icmp4(SENDER, addr(172, 16, 5, 5), 11, 0, 1), 0));
            assertEquals(1, h.errors(Ip4Rewrite.NAME, "ttl expired"));
            assertEquals(1, h.errors(Icmp4Error.NAME, "icmp error suppressed"));
            assertEquals(0, h.captured("ip4-rewrite.tx").size());
        }
    }
}
