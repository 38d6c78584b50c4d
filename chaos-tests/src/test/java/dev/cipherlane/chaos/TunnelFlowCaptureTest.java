package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The capture reads IPIP frames as RFC 2003 and RFC 4213 lay them out: inner flows keyed by
 * their 5-tuple, outer pairs from the outer header. Frames are built here byte by byte.
 */
class TunnelFlowCaptureTest {
    private static final byte[] IP_10_200_0_1 = {10, (byte) 200, 0, 1};
    private static final byte[] IP_10_200_0_2 = {10, (byte) 200, 0, 2};
    private static final byte[] IP_10_200_1_1 = {10, (byte) 200, 1, 1};
    private static final byte[] IP_10_200_1_2 = {10, (byte) 200, 1, 2};
    private static final byte[] POD_A = {10, 1, 1, 11};
    private static final byte[] POD_B = {10, 1, 2, 11};

    @Test
    void innerFlowsMapToTheOuterPairsThatCarriedThem() {
        TunnelFlowCapture c = new TunnelFlowCapture();
        byte[] tcp = inner4(POD_A, POD_B, 6, 41000, 7500, 0);
        see(c, outer4(IP_10_200_0_1, IP_10_200_0_2, 4, tcp));
        see(c, outer4(IP_10_200_0_1, IP_10_200_0_2, 4, tcp));
        see(c, outer4(IP_10_200_1_1, IP_10_200_1_2, 4, tcp)); // the same flow in another tunnel
        see(c, outer4(IP_10_200_0_2, IP_10_200_0_1, 4, inner4(POD_B, POD_A, 17, 53, 999, 0)));
        // A later fragment carries no ports: it is keyed without them.
        see(c, outer4(IP_10_200_0_1, IP_10_200_0_2, 4, inner4(POD_A, POD_B, 6, 1, 2, 100)));
        see(c, outer4(IP_10_200_0_1, IP_10_200_0_2, 41, inner6Udp(5353, 5354)));
        see(c, arp());
        see(c, outer4(IP_10_200_0_1, IP_10_200_0_2, 6, new byte[20])); // plain TCP, not a tunnel

        Map<TunnelFlowCapture.InnerFlow, Set<TunnelFlowCapture.OuterPair>> flows = c.flows();
        assertEquals(6, c.tunnelledFrames());
        assertEquals(2, c.otherFrames());
        Map<String, Set<String>> shown = new TreeMap<>();
        flows.forEach((k, v) -> shown.put(k.toString(), new TreeSet<>(v.stream().map(Object::toString)
                .toList())));
        assertEquals(Map.of(
                "proto 6 10.1.1.11:41000 > 10.1.2.11:7500", Set.of("10.200.0.1 > 10.200.0.2", "10.200.1.1 > 10.200.1.2"),
                "proto 17 10.1.2.11:53 > 10.1.1.11:999", Set.of("10.200.0.2 > 10.200.0.1"),
                "proto 6 10.1.1.11:0 > 10.1.2.11:0", Set.of("10.200.0.1 > 10.200.0.2"),
                "proto 17 fd01:1:0:0:0:0:0:11:5353 > fd01:2:0:0:0:0:0:11:5354", Set.of("10.200.0.1 > 10.200.0.2")),
                shown);
    }

    private static void see(TunnelFlowCapture c, byte[] frame) {
        c.frame(Direction.A_TO_B, MemorySegment.ofArray(frame), frame.length);
    }

    private static byte[] ethernet(int ethertype, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) ethertype).put(payload);
        return b.array();
    }

    private static byte[] outer4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        return ethernet(0x0800, ip4(src, dst, protocol, 0, payload));
    }

    private static byte[] inner4(byte[] src, byte[] dst, int protocol, int sport, int dport, int fragmentOffset) {
        ByteBuffer l4 = ByteBuffer.allocate(20).putShort((short) sport).putShort((short) dport);
        return ip4(src, dst, protocol, fragmentOffset, l4.array());
    }

    private static byte[] ip4(byte[] src, byte[] dst, int protocol, int fragmentOffset, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1)
                .putShort((short) fragmentOffset).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src).put(dst).put(payload);
        return b.array();
    }

    private static byte[] inner6Udp(int sport, int dport) {
        ByteBuffer b = ByteBuffer.allocate(48);
        b.putInt(0x60000000).putShort((short) 8).put((byte) 17).put((byte) 64);
        b.putLong(0xfd01000100000000L).putLong(0x11L).putLong(0xfd01000200000000L).putLong(0x11L);
        b.putShort((short) sport).putShort((short) dport).putShort((short) 8).putShort((short) 0);
        return b.array();
    }

    private static byte[] arp() {
        return ethernet(0x0806, new byte[28]);
    }
}
