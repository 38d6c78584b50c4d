package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.TunnelNode.POD_IF;
import static dev.cipherlane.stages.builtin.TunnelNode.TUNNELS;
import static dev.cipherlane.stages.builtin.TunnelNode.UNDERLAY_IF;
import static dev.cipherlane.stages.builtin.TunnelNode.addr;
import static dev.cipherlane.stages.builtin.TunnelNode.outer;
import static dev.cipherlane.stages.builtin.TunnelNode.pod6Hi;
import static dev.cipherlane.stages.builtin.TunnelNode.pod;
import static dev.cipherlane.stages.builtin.TunnelNode.podIfMac;
import static dev.cipherlane.stages.builtin.TunnelNode.podMac;
import static dev.cipherlane.stages.builtin.TunnelNode.underlayMac;
import static dev.cipherlane.stages.builtin.TunnelPackets.concat;
import static dev.cipherlane.stages.builtin.TunnelPackets.ethernet;
import static dev.cipherlane.stages.builtin.TunnelPackets.get16;
import static dev.cipherlane.stages.builtin.TunnelPackets.get32;
import static dev.cipherlane.stages.builtin.TunnelPackets.hopped;
import static dev.cipherlane.stages.builtin.TunnelPackets.tcp4;
import static dev.cipherlane.stages.builtin.TunnelPackets.tcp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.forwarding.ForwardingGraph;
import dev.cipherlane.stages.tunnel.TunnelDecap;
import dev.cipherlane.stages.wire.Ethernet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pod traffic through IPIP tunnels in the whole built-in graph ({@link ForwardingGraph}):
 * node A encapsulates towards B's pods, node B decapsulates and delivers, and a graph without
 * tunnels never lets tunnel traffic out in clear.
 */
class TunnelForwardingTest {
    private static final int A = 1;
    private static final int B = 2;
    private static final int OUTER = 20;

    /** Index of the tunnel an outer packet (at {@code at} in {@code frame}) travels in, from its destination. */
    private static int tunnelOf(byte[] frame, int peer) {
        int destination = get32(frame, Ethernet.HEADER_LENGTH + 16);
        for (int i = 0; i < TUNNELS; i++) {
            if (outer(peer, i) == destination) {
                return i;
            }
        }
        throw new AssertionError("outer destination of no tunnel: " + Integer.toHexString(destination));
    }

    /** The frame node A must put on the underlay for {@code inner} through tunnel {@code i}. */
    private static byte[] expectedFromA(byte[] inner, int protocol, int tos, int i) {
        return concat(ethernet(underlayMac(B), underlayMac(A), 0x0800),
                TunnelPackets.outer(tos, OUTER + inner.length, 63, protocol, outer(A, i), outer(B, i)),
                hopped(inner));
    }

    @Test
    void podPacketsLeaveNodeAEncapsulatedAndEachFlowKeepsItsTunnel() {
        try (TunnelNode a = new TunnelNode(A, true)) {
            Set<Integer> used = new HashSet<>();
            for (int f = 0; f < 8; f++) {
                byte[] inner = tcp4(addr(10, A, 0, 7), addr(10, B, 0, 20 + f), 40000 + f, 5201, 64, 100 + f);
                int tunnel = -1;
                for (int repeat = 0; repeat < 3; repeat++) {
                    a.send(Ip4Input.NAME, inner, POD_IF);
                    List<byte[]> out = a.sentBytes();
                    byte[] frame = out.get(out.size() - 1);
                    int t = tunnelOf(frame, B);
                    if (repeat == 0) {
                        tunnel = t;
                    }
                    assertEquals(tunnel, t, "flow " + f + " always in the same tunnel");
                    assertArrayEquals(expectedFromA(inner, 4, 0, t), frame, "flow " + f);
                }
                used.add(tunnel);
            }
            assertTrue(used.size() >= 2, "8 flows over " + used + " tunnels");
            int bi = a.sent().get(0);
            assertEquals(UNDERLAY_IF, a.mem.txInterface(bi));
            assertEquals(a.underlay, a.mem.nextHop(bi), "out through the underlay adjacency");
            assertEquals(24, a.sent().size());
        }
    }

    @Test
    void ip6PodPacketLeavesInProtocol41() {
        try (TunnelNode a = new TunnelNode(A, true)) {
            Set<Integer> used = new HashSet<>();
            for (int f = 0; f < 8; f++) {
                byte[] inner = tcp6(pod6Hi(A), 7, pod6Hi(B), 0x20 + f, 41000 + f, 443, 64, 60);
                a.send(Ip6Input.NAME, inner, POD_IF);
                a.send(Ip6Input.NAME, inner, POD_IF);
                List<byte[]> out = a.sentBytes();
                byte[] first = out.get(2 * f);
                int t = tunnelOf(first, B);
                assertArrayEquals(expectedFromA(inner, 41, 0, t), first, "flow " + f);
                assertArrayEquals(first, out.get(2 * f + 1), "flow " + f + " again, same tunnel");
                used.add(t);
            }
            assertTrue(used.size() >= 2, "8 flows over " + used + " tunnels");
        }
    }

    @Test
    void gsoSuperPacketLeavesAsEncapsulatedSegments() {
        int mss = 1400;
        int segments = 5;
        int payload = (segments - 1) * mss + 500;
        byte[] superPacket = tcp4(addr(10, A, 0, 7), addr(10, B, 0, 9), 40100, 5201, 64, payload);
        try (TunnelNode a = new TunnelNode(A, true)) {
            PacketMemory mem = a.mem;
            int bi = a.cache.allocLarge();
            mem.write(bi, superPacket);
            mem.rxInterface(bi, POD_IF);
            mem.gsoSize(bi, mss);
            mem.gsoType(bi, VirtioNetHeader.GSO_TCPV4);
            a.send(Ip4Input.NAME, bi);

            List<byte[]> out = a.sentBytes();
            assertEquals(segments, out.size(), "one encapsulated frame per MSS segment");
            int tunnel = tunnelOf(out.get(0), B);
            int sequence = get32(superPacket, 24);
            for (int s = 0; s < segments; s++) {
                byte[] frame = out.get(s);
                assertEquals(tunnel, tunnelOf(frame, B), "segments of one flow share the tunnel");
                int segmentPayload = Math.min(mss, payload - s * mss);
                byte[] inner = Arrays.copyOfRange(frame, Ethernet.HEADER_LENGTH + OUTER, frame.length);
                assertEquals(40 + segmentPayload, inner.length);
                byte[] outer = TunnelPackets.outer(0, OUTER + inner.length, 63, 4, outer(A, tunnel), outer(B, tunnel));
                assertArrayEquals(concat(ethernet(underlayMac(B), underlayMac(A), 0x0800), outer),
                        Arrays.copyOf(frame, Ethernet.HEADER_LENGTH + OUTER), "segment " + s + " outer headers");
                assertEquals(63, inner[8] & 0xFF, "inner TTL decremented once, segment " + s);
                assertEquals(0, TunnelPackets.checksum(inner, 0, 20, 0), "inner header checksum, segment " + s);
                assertEquals(inner.length, get16(inner, 2));
                assertEquals(sequence + s * mss, get32(inner, 24), "segment " + s + " sequence");
                assertArrayEquals(Arrays.copyOfRange(superPacket, 40 + s * mss, 40 + s * mss + segmentPayload),
                        Arrays.copyOfRange(inner, 40, inner.length), "segment " + s + " payload");
                assertTrue(TunnelPackets.tcpChecksumOk(inner), "segment " + s + " TCP checksum");
            }
        }
    }

    /** A frame on B's underlay from A, tunnel {@code i} (or the given outer source), carrying {@code inner}. */
    private static byte[] toB(int outerSource, int i, int protocol, byte[] inner) {
        return concat(ethernet(underlayMac(B), underlayMac(A), 0x0800),
                TunnelPackets.outer(0, OUTER + inner.length, 63, protocol, outerSource, outer(B, i)), inner);
    }

    @Test
    void nodeBDecapsulatesAndDeliversToThePod() {
        try (TunnelNode b = new TunnelNode(B, true)) {
            byte[] inner = hopped(tcp4(addr(10, A, 0, 7), pod(B), 40000, 5201, 64, 200));
            byte[] inner6 = hopped(tcp6(pod6Hi(A), 7, pod6Hi(B), 7, 41000, 443, 64, 80));
            for (int i = 0; i < TUNNELS; i++) {
                b.send(EthernetInput.NAME, toB(outer(A, i), i, 4, inner), UNDERLAY_IF);
            }
            b.send(EthernetInput.NAME, toB(outer(A, 2), 2, 41, inner6), UNDERLAY_IF);

            List<byte[]> out = b.sentBytes();
            assertEquals(TUNNELS + 1, out.size());
            byte[] expected = concat(ethernet(podMac(B), podIfMac(B), 0x0800), hopped(inner));
            for (int i = 0; i < TUNNELS; i++) {
                assertArrayEquals(expected, out.get(i), "from tunnel " + i);
                int bi = b.sent().get(i);
                assertEquals(b.podAdjacency, b.mem.nextHop(bi));
                assertEquals(POD_IF, b.mem.txInterface(bi));
            }
            assertArrayEquals(concat(ethernet(podMac(B), podIfMac(B), 0x86DD), hopped(inner6)), out.get(TUNNELS));
            assertEquals(b.podAdjacency6, b.mem.nextHop(b.sent().get(TUNNELS)));
        }
    }

    @Test
    void unknownTunnelIsDroppedAndCounted() {
        try (TunnelNode b = new TunnelNode(B, true)) {
            byte[] inner = tcp4(addr(10, A, 0, 7), pod(B), 40000, 5201, 64, 200);
            b.send(EthernetInput.NAME, toB(addr(10, 0, 9, 9), 0, 4, inner), UNDERLAY_IF);
            // Outer source of tunnel 1, sent to our address of tunnel 0: not a pair we have.
            b.send(EthernetInput.NAME, toB(outer(A, 1), 0, 4, inner), UNDERLAY_IF);
            assertEquals(2, b.errors(TunnelDecap.NAME, "unknown tunnel"));
            assertEquals(0, b.sent().size(), "nothing reaches the pod");
        }
    }

    @Test
    void otherLocalTrafficIsPunted() {
        try (TunnelNode b = new TunnelNode(B, true)) {
            byte[] udpLike = tcp4(outer(A, 0), outer(B, 0), 500, 500, 64, 20);
            udpLike[9] = 17;
            TunnelPackets.put16(udpLike, 10, 0);
            TunnelPackets.put16(udpLike, 10, TunnelPackets.checksum(udpLike, 0, 20, 0));
            int bi = b.send(EthernetInput.NAME,
                    concat(ethernet(underlayMac(B), underlayMac(A), 0x0800), udpLike), UNDERLAY_IF);
            assertEquals(List.of(bi), b.punted);
            assertEquals(0, b.sent().size());
        }
    }

    @Test
    void withoutTunnelsTunnelTrafficIsDroppedNeverSentInClear() {
        try (TunnelNode a = new TunnelNode(A, false)) {
            for (int f = 0; f < 8; f++) {
                a.send(Ip4Input.NAME, tcp4(addr(10, A, 0, 7), addr(10, B, 0, 20 + f), 40000 + f, 5201, 64, 100),
                        POD_IF);
                a.send(Ip6Input.NAME, tcp6(pod6Hi(A), 7, pod6Hi(B), 0x20 + f, 41000 + f, 443, 64, 60), POD_IF);
            }
            // IPIP to our address with no decapsulator: dropped, not punted, not delivered.
            byte[] inner = tcp4(addr(10, B, 0, 7), pod(A), 40000, 5201, 64, 200);
            a.send(EthernetInput.NAME, concat(ethernet(underlayMac(A), underlayMac(B), 0x0800),
                    TunnelPackets.outer(0, OUTER + inner.length, 63, 4, outer(B, 0), outer(A, 0)), inner),
                    UNDERLAY_IF);
            assertEquals(0, a.sent().size(), "nothing left on tx");
            assertEquals(0, a.punted.size());
            assertEquals(17, a.errors(Drop.NAME, "dropped"));
        }
    }
}
