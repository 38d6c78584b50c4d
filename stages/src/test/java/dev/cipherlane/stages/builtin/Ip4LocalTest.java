package dev.cipherlane.stages.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.testing.StageHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ip4-local: IPIP to the tunnel decapsulator, every other protocol to the control plane. */
class Ip4LocalTest {
    private static final String IPIP = "ip4-local.ipip";
    private static final String PUNT = "ip4-local.punt";

    private static byte[] ip4(int protocol) {
        byte[] p = TunnelPackets.tcp4(TunnelNode.addr(10, 0, 1, 1), TunnelNode.addr(10, 0, 2, 1), 1, 2, 64, 8);
        p[9] = (byte) protocol;
        return p;
    }

    private static byte[] udp4(int destinationPort) {
        byte[] p = TunnelPackets.tcp4(TunnelNode.addr(10, 0, 1, 1), TunnelNode.addr(10, 0, 2, 1), 4500,
                destinationPort, 64, 8);
        p[9] = 17;
        return p;
    }

    @Test
    void ipipGoesToDecapsulationEspToTheDecryptorEverythingElseIsPunted() {
        try (StageHarness h = new StageHarness(new Ip4Local())) {
            int ip4InIp4 = h.packet(ip4(4), 1);
            int ip6InIp4 = h.packet(ip4(41), 1);
            int icmp = h.packet(ip4(1), 1);
            int udp = h.packet(udp4(500), 1);
            int esp = h.packet(ip4(50), 1);
            int espInUdp = h.packet(udp4(4500), 1);
            h.run(Ip4Local.NAME, ip4InIp4, icmp, ip6InIp4, udp, esp, espInUdp);
            assertEquals(List.of(ip4InIp4, ip6InIp4), h.captured(IPIP));
            assertEquals(List.of(esp, espInUdp), h.captured("ip4-local.esp"));
            assertEquals(List.of(icmp, udp), h.captured(PUNT));
        }
    }

    @Test
    void fragmentsAndRuntsOfUdpTo4500AreNotEsp() {
        try (StageHarness h = new StageHarness(new Ip4Local())) {
            byte[] fragment = udp4(4500);
            fragment[6] = 0x20; // more fragments
            byte[] runt = java.util.Arrays.copyOf(udp4(4500), 23);
            runt[3] = 23;
            int f = h.packet(fragment, 1);
            int r = h.packet(runt, 1);
            h.run(Ip4Local.NAME, f, r);
            assertEquals(List.of(f, r), h.captured(PUNT));
        }
    }

    @Test
    void runtAndNonIp4AreDroppedByName() {
        try (StageHarness h = new StageHarness(new Ip4Local())) {
            byte[] ip6 = ip4(4);
            ip6[0] = 0x60;
            h.run(Ip4Local.NAME, h.packet(new byte[19], 1), h.packet(new byte[0], 1), h.packet(ip6, 1));
            assertEquals(2, h.errors(Ip4Local.NAME, "local ip4 runt"));
            assertEquals(1, h.errors(Ip4Local.NAME, "local packet not ip4"));
            assertEquals(0, h.captured(IPIP).size() + h.captured(PUNT).size());
        }
    }

    @Test
    void traceNamesAddressesAndProtocol() {
        Ip4Local stage = new Ip4Local();
        try (StageHarness h = new StageHarness(stage)) {
            int bi = h.packet(ip4(41), 1);
            assertEquals("10.0.1.1 -> 10.0.2.1 protocol 41", stage.formatTrace(h.memory(), bi));
            h.run(Ip4Local.NAME, bi);
        }
    }
}
