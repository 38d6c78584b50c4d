package dev.cipherlane.chaos;

import static dev.cipherlane.chaos.Frames.N1;
import static dev.cipherlane.chaos.Frames.N2;
import static dev.cipherlane.chaos.Frames.POD_A;
import static dev.cipherlane.chaos.Frames.POD_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.testbed.BytePattern;
import dev.cipherlane.testbed.LabPod;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The wire audit must tell expected frames from leaks: it is only as good as the violations
 * it can see. Frames are built byte by byte ({@link Frames}); ciphertext is random bytes.
 */
class WireAuditTest {
    private static final List<LabPod> PODS = List.of(
            new LabPod("n1p1", "t-n1p1", 1, "10.1.1.11", "fd01:1::11"),
            new LabPod("n2p1", "t-n2p1", 2, "10.1.2.11", "fd01:2::11"));
    private final Random random = new Random(3);

    private byte[] noise(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] stream(int n) {
        byte[] b = new byte[n];
        new BytePattern(99).copy(12345, b, 0, n);
        return b;
    }

    private static void see(WireAudit a, Direction d, byte[] frame) {
        a.frame(d, MemorySegment.ofArray(frame), frame.length);
    }

    @Test
    void arpEspEspInUdpNatTControlAndHostTrafficAreExpected() {
        WireAudit a = new WireAudit(PODS);
        see(a, Direction.A_TO_B, Frames.arp());
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 1, noise(1400))));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 2, noise(1400))));
        see(a, Direction.B_TO_A, Frames.frame4(N2, N1, 17, Frames.udp(4500, 4500,
                Frames.esp(0x2002, 1, noise(600)))));
        see(a, Direction.B_TO_A, Frames.frame4(N2, N1, 17, Frames.udp(4500, 4500, new byte[] {(byte) 0xFF})));
        see(a, Direction.B_TO_A, Frames.frame4(N2, N1, 17, Frames.udp(4500, 4500, new byte[40])));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 1, new byte[64])); // the nodes' own ping
        see(a, Direction.A_TO_B, Frames.ethernet(0x86DD, Frames.ip6(0xfe80_0000_0000_0000L, 1,
                0xff02_0000_0000_0000L, 2, 58, new byte[16]))); // a router solicitation

        assertEquals(List.of(), a.violations());
        assertEquals(0, a.violationCount());
        assertEquals(8, a.frames());
        assertEquals(1, a.count(WireAudit.Kind.ARP));
        assertEquals(2, a.count(WireAudit.Kind.ESP));
        assertEquals(1, a.count(WireAudit.Kind.ESP_IN_UDP));
        assertEquals(2, a.count(WireAudit.Kind.NAT_T_CONTROL));
        assertEquals(1, a.count(WireAudit.Kind.HOST_IP4));
        assertEquals(1, a.count(WireAudit.Kind.HOST_IP6));
        assertEquals(2, a.espPackets(Direction.A_TO_B));
        assertEquals(1, a.espPackets(Direction.B_TO_A));
        WireAudit.SpiUse use = a.spis().get(0x1001);
        assertEquals(new WireAudit.SpiUse(2, 1, 2, Set.of("10.200.0.1 > 10.200.0.2"), Set.of(Direction.A_TO_B)), use);
        assertEquals(0, a.repeatedSequences());
    }

    @Test
    void tunnelsInClearStreamBytesAndPodAddressesAreViolations() {
        WireAudit a = new WireAudit(PODS);
        // Plain IPIP: a tunnel in clear, with the pods' header and the stream inside.
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 4, Frames.ip4(POD_A, POD_B, 6, Frames.tcp(41000, 7500,
                stream(1000)))));
        // "ESP" whose payload was never encrypted: the kind is fine, the bytes are not.
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 1, stream(200))));
        // An inner IPv4 header's pod pair inside an otherwise opaque payload.
        byte[] opaque = noise(300);
        System.arraycopy(Frames.ip4(POD_B, POD_A, 17, new byte[8]), 0, opaque, 100, 28);
        see(a, Direction.B_TO_A, Frames.frame4(N2, N1, 50, Frames.esp(0x2002, 1, opaque)));
        // A pod's IPv6 packet routed on the wire as it is.
        see(a, Direction.B_TO_A, Frames.ethernet(0x86DD, Frames.ip6(0xfd01_0002_0000_0000L, 0x11,
                0xfd01_0001_0000_0000L, 0x11, 17, Frames.udp(5000, 5001, new byte[8]))));
        // A pod's IPv4 packet routed on the wire as it is: outer addresses outside the underlay.
        see(a, Direction.A_TO_B, Frames.frame4(POD_A, POD_B, 17, Frames.udp(5000, 5001, new byte[8])));

        assertEquals(5, a.violationCount(), a::summary);
        List<String> v = a.violations();
        assertTrue(v.get(0).contains("IPIP: IPIP, stream bytes in clear, pod address 10.1.1.11 > 10.1.2.11"),
                v::toString);
        assertTrue(v.get(1).contains("ESP: stream bytes in clear"), v::toString);
        assertTrue(v.get(2).contains("ESP: pod address 10.1.2.11 > 10.1.1.11"), v::toString);
        assertTrue(v.get(3).contains("OTHER: OTHER, pod address IPv6 pod 2"), v::toString);
        assertTrue(v.get(4).contains("OTHER: OTHER, pod address 10.1.1.11 > 10.1.2.11"), v::toString);
        assertEquals(1, a.count(WireAudit.Kind.IPIP));
        assertEquals(2, a.count(WireAudit.Kind.OTHER));
    }

    @Test
    void anSpiAndSequenceNumberSentTwiceIsARepeat() {
        WireAudit a = new WireAudit(PODS);
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 7, noise(100))));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1002, 7, noise(100))));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 17, Frames.udp(4500, 4500, Frames.esp(0x1001, 8,
                noise(100)))));
        assertEquals(0, a.repeatedSequences());
        // The same pair again, in UDP this time: still the same nonce under the same key.
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 17, Frames.udp(4500, 4500, Frames.esp(0x1001, 7,
                noise(100)))));
        // Far apart in the sequence space, and across the 2^16 blocks of the ledger.
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 0x0001_0007, noise(100))));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 0xFFFF_FFFF, noise(100))));
        see(a, Direction.A_TO_B, Frames.frame4(N1, N2, 50, Frames.esp(0x1001, 0xFFFF_FFFF, noise(100))));
        assertEquals(2, a.repeatedSequences(), a::summary);
        assertEquals(List.of("spi 0x00001001 sequence 7 again (A_TO_B)", "spi 0x00001001 sequence 4294967295 again"
                + " (A_TO_B)"), a.repeats());
        assertEquals(4294967295L, a.spis().get(0x1001).highestSequence());
    }
}
