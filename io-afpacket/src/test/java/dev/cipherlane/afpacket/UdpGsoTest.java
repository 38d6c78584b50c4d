package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.VirtioNetHeader;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which datagrams may join a UDP GSO super-frame, and that joining them and cutting the
 * result up again gives back the datagrams, over IPv4 and IPv6. Checksums are checked
 * against a plain RFC 1071 sum written here.
 */
class UdpGsoTest {

    private static MemorySegment segment(byte[] f) {
        return MemorySegment.ofArray(f);
    }

    @Test
    void plainIpv4AndIpv6DatagramsQualify() {
        byte[] v4 = Frames.udp(1, 2, 3, 100);
        assertEquals(42, UdpGso.payloadOffset(segment(v4), 0, v4.length));
        byte[] v6 = udp6(1, 2, 3, 100);
        assertEquals(62, UdpGso.payloadOffset(segment(v6), 0, v6.length));
    }

    @Test
    void anythingElseDoesNot() {
        byte[] options = Frames.udp(1, 2, 3, 100);
        options[14] = 0x46;
        byte[] fragment = Frames.udp(1, 2, 3, 100);
        fragment[14 + 6] = 0x20; // more fragments
        byte[] laterFragment = Frames.udp(1, 2, 3, 100);
        laterFragment[14 + 7] = 0x10;
        byte[] tcp = Frames.udp(1, 2, 3, 100);
        tcp[14 + 9] = 6;
        byte[] shortIpLength = Frames.udp(1, 2, 3, 100);
        shortIpLength[14 + 3]--;
        byte[] shortUdpLength = Frames.udp(1, 2, 3, 100);
        shortUdpLength[34 + 5]--;
        byte[] tagged = Frames.tagged(Frames.udp(1, 2, 3, 100), 5);
        byte[] v6WithExtension = udp6(1, 2, 3, 100);
        v6WithExtension[14 + 6] = 0; // hop-by-hop first
        for (byte[] f : List.of(options, fragment, laterFragment, tcp, shortIpLength, shortUdpLength, tagged,
                v6WithExtension)) {
            assertEquals(-1, UdpGso.payloadOffset(segment(f), 0, f.length));
        }
        byte[] runt = new byte[30];
        assertEquals(-1, UdpGso.payloadOffset(segment(runt), 0, runt.length));
    }

    @Test
    void onlyTheSameFlowJoins() {
        byte[] a = Frames.udp(1000, 4500, 1, 100);
        byte[] sameFlowOtherId = Frames.udp(1000, 4500, 2, 300);
        byte[] both = concat(a, sameFlowOtherId);
        assertTrue(UdpGso.sameFlow(segment(both), 0, a.length, 42));
        int[] fieldsThatMatter = {0, 6, 12, 14, 15, 14 + 6, 14 + 8, 14 + 9, 14 + 12, 14 + 16, 34, 36};
        for (int at : fieldsThatMatter) {
            byte[] other = sameFlowOtherId.clone();
            other[at] ^= 1;
            assertFalse(UdpGso.sameFlow(segment(concat(a, other)), 0, a.length, 42), "byte " + at);
        }
        byte[] v6 = udp6(1000, 4500, 1, 100);
        byte[] v6b = udp6(1000, 4500, 2, 100);
        assertTrue(UdpGso.sameFlow(segment(concat(v6, v6b)), 0, v6.length, 62));
        for (int at : new int[] {14 + 1, 14 + 7, 14 + 8, 14 + 23, 14 + 24, 14 + 39, 54, 56}) {
            byte[] other = v6b.clone();
            other[at] ^= 1;
            assertFalse(UdpGso.sameFlow(segment(concat(v6, other)), 0, v6.length, 62), "v6 byte " + at);
        }
    }

    @Test
    void limitsOfOneSuperFrame() {
        assertTrue(UdpGso.fits(42, 1442, 1, 1400, 1442, UdpGso.MAX_FRAME));
        assertTrue(UdpGso.fits(42, 1442, 1, 1400, 100, UdpGso.MAX_FRAME), "the last may be shorter");
        assertFalse(UdpGso.fits(42, 1442, 1, 1400, 1443, UdpGso.MAX_FRAME), "never longer than the first");
        assertFalse(UdpGso.fits(42, 1442, 1, 1400, 42, UdpGso.MAX_FRAME), "a payload is needed");
        assertFalse(UdpGso.fits(42, 1442, UdpGso.MAX_SEGMENTS, 1400, 1442, UdpGso.MAX_FRAME));
        // IPv4 total length 20 + 8 + payloads may not pass 65535.
        assertTrue(UdpGso.fits(42, 1442, 10, 65507 - 1400, 1442, UdpGso.MAX_FRAME));
        assertFalse(UdpGso.fits(42, 1442, 10, 65507 - 1399, 1442, UdpGso.MAX_FRAME));
        // IPv6 payload length 8 + payloads.
        assertTrue(UdpGso.fits(62, 1462, 10, 65527 - 1400, 1462, UdpGso.MAX_FRAME));
        assertFalse(UdpGso.fits(62, 1462, 10, 65527 - 1399, 1462, UdpGso.MAX_FRAME));
        // And the frame within what the receiving ring's blocks hold.
        assertTrue(UdpGso.fits(42, 1442, 1, 1400, 1442, 42 + 2800));
        assertFalse(UdpGso.fits(42, 1442, 1, 1400, 1442, 42 + 2799));
    }

    @Test
    void ipv4DatagramsJoinedAndCutComeBackAsTheyWere() {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(Frames.udp(4500, 4500, 7 + i, i == 4 ? 77 : 1300));
        }
        List<byte[]> back = roundTrip(sent, 42);
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), back.get(i), "datagram " + i);
        }
    }

    @Test
    void ipv6DatagramsJoinedAndCutGetValidChecksums() {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(udp6(4500, 4500, 7 + i, i == 3 ? 9 : 1300));
        }
        List<byte[]> back = roundTrip(sent, 62);
        for (int i = 0; i < sent.size(); i++) {
            byte[] got = back.get(i);
            assertEquals(sent.get(i).length, got.length);
            // Over IPv6 the UDP checksum is computed per datagram: the sum over pseudo-header,
            // UDP header and payload comes to all ones.
            long sum = sum(got, 14 + 8, 32) + 17 + (got.length - 54) + sum(got, 54, got.length - 54);
            assertEquals(0xFFFF, fold(sum), "checksum of datagram " + i);
            byte[] expected = sent.get(i).clone();
            expected[54 + 6] = got[54 + 6];
            expected[54 + 7] = got[54 + 7];
            assertArrayEquals(expected, got, "datagram " + i + " apart from its checksum");
        }
    }

    @Test
    void theSuperFrameCarriesWhatTheKernelNeeds() {
        byte[] a = Frames.udp(4500, 4500, 1, 1000);
        byte[] b = Frames.udp(4500, 4500, 2, 600);
        byte[] built = new byte[10 + a.length + 600];
        System.arraycopy(a, 0, built, 10, a.length);
        System.arraycopy(b, 42, built, 10 + a.length, 600);
        MemorySegment s = segment(built);
        UdpGso.writeHeaders(s, 0, 10, 42, 1000, 1600);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(s, 0));
        assertEquals(VirtioNetHeader.GSO_UDP_L4, VirtioNetHeader.gsoType(s, 0));
        assertEquals(42, VirtioNetHeader.headerLength(s, 0));
        assertEquals(1000, VirtioNetHeader.gsoSize(s, 0));
        assertEquals(34, VirtioNetHeader.csumStart(s, 0));
        assertEquals(6, VirtioNetHeader.csumOffset(s, 0));
        int ip = 10 + 14;
        assertEquals(20 + 8 + 1600, u16(built, ip + 2), "IPv4 total length of the whole");
        assertEquals(0xFFFF, fold(sum(built, ip, 20)), "IPv4 header checksum");
        assertEquals(8 + 1600, u16(built, ip + 20 + 4), "UDP length of the whole");
        // The UDP checksum field holds the pseudo-header sum, not complemented.
        long pseudo = sum(built, ip + 12, 8) + 17 + 8 + 1600;
        assertEquals(fold(pseudo), u16(built, ip + 20 + 6));
    }

    /** Joins the datagrams as afpacket-output does and cuts them as afpacket-input does. */
    private static List<byte[]> roundTrip(List<byte[]> sent, int payloadOffset) {
        byte[] first = sent.getFirst();
        int payloads = 0;
        for (byte[] f : sent) {
            payloads += f.length - payloadOffset;
        }
        byte[] built = new byte[10 + payloadOffset + payloads];
        System.arraycopy(first, 0, built, 10, first.length);
        int at = 10 + first.length;
        for (byte[] f : sent.subList(1, sent.size())) {
            System.arraycopy(f, payloadOffset, built, at, f.length - payloadOffset);
            at += f.length - payloadOffset;
        }
        MemorySegment s = segment(built);
        int segmentSize = first.length - payloadOffset;
        UdpGso.writeHeaders(s, 0, 10, payloadOffset, segmentSize, payloads);
        assertEquals(payloadOffset, UdpGso.superFramePayload(s, 10, built.length - 10));

        List<byte[]> back = new ArrayList<>();
        int index = 0;
        for (int pos = 0; pos < payloads; pos += segmentSize, index++) {
            int payload = Math.min(segmentSize, payloads - pos);
            byte[] d = new byte[payloadOffset + payload];
            System.arraycopy(built, 10, d, 0, payloadOffset);
            System.arraycopy(built, 10 + payloadOffset + pos, d, payloadOffset, payload);
            UdpGso.finishSegment(segment(d), 0, payloadOffset, index, payload);
            back.add(d);
        }
        assertEquals(sent.size(), back.size());
        return back;
    }

    /** Ethernet, IPv6 (RFC 8200) fd00::1 to fd00::2, UDP with checksum 0 (filled by the tests that need it). */
    private static byte[] udp6(int srcPort, int dstPort, int sequence, int payloadLength) {
        byte[] v4 = Frames.udp(srcPort, dstPort, sequence, payloadLength);
        byte[] f = new byte[14 + 40 + 8 + payloadLength];
        System.arraycopy(v4, 0, f, 0, 12);
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xDD;
        f[14] = 0x60;
        put16(f, 14 + 4, 8 + payloadLength);
        f[14 + 6] = 17;
        f[14 + 7] = 64;
        f[14 + 8] = (byte) 0xfd;
        f[14 + 23] = 1;
        f[14 + 24] = (byte) 0xfd;
        f[14 + 39] = 2;
        System.arraycopy(v4, 34, f, 54, 8 + payloadLength);
        return f;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static long sum(byte[] f, int at, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = f[at + i] & 0xff;
            int lo = i + 1 < length ? f[at + i + 1] & 0xff : 0;
            s += hi << 8 | lo;
        }
        return s;
    }

    private static int fold(long s) {
        while (s >>> 16 != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }
}
