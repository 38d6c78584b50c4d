package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.get16;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.get32;
import static dev.cipherlane.stages.builtin.Ip4TestPackets.put16;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.hi;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.icmp6;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.lo;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.upperLayerChecksum;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.stages.wire.Ip6;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class Icmp6ErrorTest {
    private static final byte[] SENDER = addr("2001:db8:1::9");
    private static final byte[] DST = addr("2001:db8:e::5");
    private static final byte[] ROUTER = addr("fd00::1");         // global address of rx interface 0
    private static final byte[] ROUTER_LINK = addr("fe80::1");    // its link-local address
    private static final String OUT = "icmp6-error.lookup";
    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(3, 0, 0);

    private final IpTestNetwork net = new IpTestNetwork();

    private Icmp6Error stage() {
        return new Icmp6Error(new Icmp6Error.Params(net.interfaces));
    }

    private static int invoke(StageHarness h, byte[] packet, int rx, int request) {
        int bi = h.packet(packet, rx);
        h.memory().opaque(bi, request);
        return bi;
    }

    /** Checks the error's IPv6 and ICMPv6 headers field by field and returns its quote. */
    private static byte[] checkError(byte[] out, int type, int code, int fourBytes, byte[] source, byte[] destination) {
        assertEquals(0x60000000, get32(out, 0), "version 6, class 0, flow 0");
        assertEquals(out.length - 40, get16(out, 4), "payload length");
        assertEquals(58, out[6], "next header ICMPv6");
        assertEquals(64, out[7], "hop limit");
        assertArrayEquals(source, Arrays.copyOfRange(out, 8, 24), "source");
        assertArrayEquals(destination, Arrays.copyOfRange(out, 24, 40), "destination");
        assertEquals(type, out[40] & 0xFF, "type");
        assertEquals(code, out[41] & 0xFF, "code");
        byte[] zeroed = out.clone();
        put16(zeroed, 42, 0);
        assertEquals(upperLayerChecksum(zeroed), get16(out, 42), "checksum with pseudo-header");
        assertEquals(fourBytes, get32(out, 44), "MTU / unused word");
        return Arrays.copyOfRange(out, 48, out.length);
    }

    @Test
    void timeExceededIsBuiltInPlaceByteByByte() {
        byte[] original = udp6(SENDER, DST, 40000, 53, 1, 32);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = invoke(h, original, 0, TIME_EXCEEDED);
            int offsetBefore = h.memory().dataOffset(bi);
            h.run(Icmp6Error.NAME, bi);
            assertEquals(List.of(bi), h.captured(OUT));
            byte[] out = h.memory().read(bi);
            assertEquals(48 + original.length, out.length);
            assertArrayEquals(original, checkError(out, 3, 0, 0, ROUTER, SENDER));
            PacketMemory mem = h.memory();
            assertEquals(offsetBefore - 48, mem.dataOffset(bi));
            assertEquals(mem.dataOffset(bi), mem.l3Offset(bi));
            assertEquals(mem.dataOffset(bi) + 40, mem.l4Offset(bi));
            assertTrue(mem.hasFlag(bi, PacketFlags.IP6));
            assertEquals(FlowHash.hash6(hi(ROUTER), lo(ROUTER), hi(SENDER), lo(SENDER), 58, 0, 0), mem.flowHash(bi));
        }
    }

    @Test
    void packetTooBigCarriesTheMtuAndQuotesUpTo1280Bytes() {
        byte[] original = udp6(SENDER, addr("2001:db8:2::5"), 1, 2, 64, 1500 - 48);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = invoke(h, original, 0, IcmpErrorRequest.encode(2, 0, 1400));
            h.run(Icmp6Error.NAME, bi);
            byte[] out = h.memory().read(bi);
            assertEquals(1280, out.length);
            assertArrayEquals(Arrays.copyOf(original, 1232), checkError(out, 2, 0, 1400, ROUTER, SENDER));
        }
    }

    @Test
    void linkLocalSenderIsAnsweredFromTheLinkLocalAddress() {
        byte[] sender = addr("fe80::99");
        byte[] original = udp6(sender, DST, 1, 2, 1, 8);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = invoke(h, original, 0, TIME_EXCEEDED);
            h.run(Icmp6Error.NAME, bi);
            assertArrayEquals(original, checkError(h.memory().read(bi), 3, 0, 0, ROUTER_LINK, sender));
        }
    }

    @Test
    void noErrorAboutIcmp6ErrorsButInformationalMessagesAreAnswered() {
        try (StageHarness h = new StageHarness(stage())) {
            int unreachable = invoke(h, icmp6(SENDER, DST, 1, 1), 0, TIME_EXCEEDED);
            int tooBig = invoke(h, icmp6(SENDER, DST, 2, 1), 0, TIME_EXCEEDED);
            int echoRequest = invoke(h, icmp6(SENDER, DST, 128, 1), 0, TIME_EXCEEDED);
            h.run(Icmp6Error.NAME, unreachable, tooBig, echoRequest);
            assertEquals(2, h.errors(Icmp6Error.NAME, "icmp error suppressed"));
            assertEquals(List.of(echoRequest), h.captured(OUT));
        }
    }

    @Test
    void icmp6ErrorBehindAnExtensionHeaderIsStillRecognised() {
        byte[] icmp = Arrays.copyOfRange(icmp6(SENDER, DST, 3, 1), 40, 56);
        byte[] dest = new byte[8 + icmp.length];
        dest[0] = 58;
        dest[2] = 1; // PadN
        dest[3] = 4;
        System.arraycopy(icmp, 0, dest, 8, icmp.length);
        try (StageHarness h = new StageHarness(stage())) {
            h.run(Icmp6Error.NAME, invoke(h, Ip6TestPackets.ip6(SENDER, DST, Ip6.DESTINATION_OPTIONS, 1, dest), 0,
                    TIME_EXCEEDED));
            assertEquals(1, h.errors(Icmp6Error.NAME, "icmp error suppressed"));
        }
    }

    @Test
    void noErrorAboutBadSourcesOrMulticastExceptPacketTooBig() {
        try (StageHarness h = new StageHarness(stage())) {
            int unspecified = invoke(h, udp6(addr("::"), DST, 1, 2, 1, 8), 0, TIME_EXCEEDED);
            int multicastSource = invoke(h, udp6(addr("ff05::2"), DST, 1, 2, 1, 8), 0, TIME_EXCEEDED);
            int toMulticast = invoke(h, udp6(SENDER, addr("ff0e::1"), 1, 2, 1, 8), 0, TIME_EXCEEDED);
            int tooBigToMulticast = invoke(h, udp6(SENDER, addr("ff0e::1"), 1, 2, 64, 8), 0,
                    IcmpErrorRequest.encode(2, 0, 1280));
            h.run(Icmp6Error.NAME, unspecified, multicastSource, toMulticast, tooBigToMulticast);
            assertEquals(3, h.errors(Icmp6Error.NAME, "icmp error suppressed"));
            assertEquals(List.of(tooBigToMulticast), h.captured(OUT));
        }
    }

    @Test
    void rateLimitedNoSourceAndBadRequests() {
        try (StageHarness h = new StageHarness(new Icmp6Error(new Icmp6Error.Params(net.interfaces, 1, 2)))) {
            int[] bis = new int[4];
            for (int i = 0; i < bis.length; i++) {
                bis[i] = invoke(h, udp6(SENDER, DST, 1, 2, 1, 8), 0, TIME_EXCEEDED);
            }
            int bare = invoke(h, udp6(SENDER, DST, 1, 2, 1, 8), 3, TIME_EXCEEDED);
            int badType = invoke(h, udp6(SENDER, DST, 1, 2, 1, 8), 0, IcmpErrorRequest.encode(128, 0, 0));
            int runt = invoke(h, new byte[30], 0, TIME_EXCEEDED);
            h.run(Icmp6Error.NAME, bis);
            h.run(Icmp6Error.NAME, bare, badType, runt);
            assertEquals(2, h.captured(OUT).size());
            assertEquals(2, h.errors(Icmp6Error.NAME, "icmp rate limited"));
            assertEquals(1, h.errors(Icmp6Error.NAME, "icmp no source address"));
            assertEquals(1, h.errors(Icmp6Error.NAME, "icmp error type not supported"));
            assertEquals(1, h.errors(Icmp6Error.NAME, "icmp invoking packet malformed"));
        }
    }

    @Test
    void parametersAreValidatedUnderIcmp6Names() {
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
                () -> new Icmp6Error(new Icmp6Error.Params(net.interfaces, 1_000_001, 5)));
        IllegalArgumentException burst = assertThrows(IllegalArgumentException.class,
                () -> new Icmp6Error(new Icmp6Error.Params(net.interfaces, 10, 10_001)));
        assertTrue(rate.getMessage().startsWith(Icmp6Error.ERRORS_PER_SECOND + " "), rate.getMessage());
        assertTrue(burst.getMessage().startsWith(Icmp6Error.BURST + " "), burst.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Icmp6Error(new Icmp6Error.Params(null)));
    }

    @Test
    void expiredPacketIsAnsweredToItsSenderOnTheWire() {
        byte[] original = udp6(SENDER, DST, 40000, 53, 1, 32);
        try (StageHarness h = new StageHarness(new Ip6Input(), net.ip6Lookup(), net.ip6Rewrite(), stage())
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip6Lookup.NAME, "rewrite", Ip6Rewrite.NAME)
                .connect(Ip6Rewrite.NAME, "icmp-error", Icmp6Error.NAME)
                .connect(Icmp6Error.NAME, "lookup", Ip6Lookup.NAME)) {
            int bi = h.packet(original, 0);
            h.run(Ip6Input.NAME, bi);
            assertEquals(List.of(bi), h.captured("ip6-rewrite.tx"));
            byte[] frame = h.memory().read(bi);
            assertArrayEquals(IpTestNetwork.MAC_A, Arrays.copyOf(frame, 6));
            byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
            assertEquals(63, ip[7]);
            ip[7] = 64;
            assertArrayEquals(original, checkError(ip, 3, 0, 0, ROUTER, SENDER));
        }
    }
}
