package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.DF;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.get32;
import static dev.cipherlane.stages.tunnel.TunnelTestPackets.udp4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Several tunnels to one peer behind one load balancer: the symmetric flow hash spreads flows
 * over every tunnel, and keeps each flow, both directions, on one tunnel.
 */
class TunnelEcmpTest {
    private static final int FLOWS = 32;
    private static final String REWRITE = "ipip-encap.rewrite";

    private final TunnelNetwork net = new TunnelNetwork();

    /** What ip4-lookup does for a pod packet to the peer: flow hash in, tunnel adjacency out. */
    private static int sendAs(StageHarness h, ForwardingTables tables, int lb, byte[] inner) {
        int bi = h.packet(inner, 1);
        int hash = FlowHash.hash4(get32(inner, 12), get32(inner, 16), inner[9] & 0xFF,
                TunnelTestPackets.get16(inner, 20), TunnelTestPackets.get16(inner, 22));
        h.memory().flowHash(bi, hash);
        h.memory().nextHop(bi, tables.loadBalances().pick(lb, hash));
        return bi;
    }

    /** Index of the tunnel an outer packet travels in, from its destination address. */
    private static int tunnelOf(byte[] outer) {
        int destination = get32(outer, 16);
        for (int i = 0; i < TunnelNetwork.TUNNELS; i++) {
            if (TunnelNetwork.localB(i) == destination) {
                return i;
            }
        }
        throw new AssertionError("outer destination of no tunnel");
    }

    @Test
    void flowsUseEveryTunnelAndEachFlowBothWaysStaysOnOne() {
        ForwardingTables tables = net.forwarding();
        Set<Integer> used = new HashSet<>();
        try (StageHarness h = new StageHarness(net.encap())) {
            for (int f = 0; f < FLOWS; f++) {
                int podA = addr(10, 1, f / 8, 10 + f);
                int podB = addr(10, 2, 0, 20 + f % 5);
                byte[] forward = udp4(podA, podB, 30000 + f, 443, 0, DF, 80);
                byte[] reverse = udp4(podB, podA, 443, 30000 + f, 0, DF, 80);
                h.run(TunnelEncap.NAME, sendAs(h, tables, net.toPeer, forward), sendAs(h, tables, net.toPeer, reverse),
                        sendAs(h, tables, net.toPeer, forward));
                List<byte[]> out = h.capturedBytes(REWRITE);
                int tunnel = tunnelOf(out.get(3 * f));
                assertEquals(tunnel, tunnelOf(out.get(3 * f + 1)), "flow " + f + " reverse direction");
                assertEquals(tunnel, tunnelOf(out.get(3 * f + 2)), "flow " + f + " again");
                used.add(tunnel);
            }
        }
        assertEquals(Set.of(0, 1, 2, 3), used, "every tunnel carries some of " + FLOWS + " flows");
    }

    @Test
    void replacingTheTunnelSetKeepsTheLoadBalancerIndex() {
        net.loadBalances.update(net.toPeer, net.tunnelAdjacency[0], net.tunnelAdjacency[2]);
        ForwardingTables tables = net.forwarding();
        Set<Integer> used = new HashSet<>();
        try (StageHarness h = new StageHarness(net.encap())) {
            for (int f = 0; f < FLOWS; f++) {
                byte[] forward = udp4(addr(10, 1, 0, 10 + f), addr(10, 2, 0, 20), 30000 + f, 443, 0, DF, 80);
                h.run(TunnelEncap.NAME, sendAs(h, tables, net.toPeer, forward));
            }
            for (byte[] outer : h.capturedBytes(REWRITE)) {
                used.add(tunnelOf(outer));
            }
        }
        assertEquals(Set.of(0, 2), used, "only the remaining tunnels, and both of them");
    }
}
