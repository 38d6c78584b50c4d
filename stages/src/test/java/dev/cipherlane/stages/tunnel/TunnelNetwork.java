package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;

/**
 * Two nodes A (10.0.0.1) and B (10.0.0.2) on one underlay link, joined by {@link #TUNNELS}
 * IPIP tunnels. Tunnel {@code i} runs from {@code 10.0.1.(i+1)} on A to {@code 10.0.2.(i+1)} on
 * B, so every tunnel has its own outer address pair; all reach B through one underlay neighbour.
 * A holds the encapsulation side (tunnel adjacencies behind one load balancer), B the mirror
 * tunnels for decapsulation.
 */
final class TunnelNetwork {
    static final int TUNNELS = 4;
    static final int MTU = 1500;
    static final int UNDERLAY_TX = 2;
    static final byte[] A_MAC = {0x02, 0, 0, 0, 0, 0x0A};
    static final byte[] B_MAC = {0x02, 0, 0, 0, 0, 0x0B};

    final AdjacencyTable adjacencies = new AdjacencyTable();
    final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
    final Ip4Fib ip4 = new Ip4Fib(loadBalances);
    final Ip6Fib ip6 = new Ip6Fib(loadBalances);
    final TunnelTable tunnelsA = new TunnelTable();
    final TunnelTable tunnelsB = new TunnelTable();
    final int underlay = adjacencies.addRewrite4(UNDERLAY_TX, addr(10, 0, 0, 2), A_MAC, B_MAC);
    final int[] tunnelIndex = new int[TUNNELS];
    final int[] tunnelAdjacency = new int[TUNNELS];
    final int toPeer;

    TunnelNetwork() {
        for (int i = 0; i < TUNNELS; i++) {
            tunnelIndex[i] = tunnelsA.add(localA(i), localB(i), underlay, UNDERLAY_TX, MTU);
            tunnelsB.add(localB(i), localA(i), underlay, UNDERLAY_TX, MTU);
            tunnelAdjacency[i] = adjacencies.addTunnel(tunnelIndex[i]);
        }
        toPeer = loadBalances.create(tunnelAdjacency);
    }

    static int localA(int i) {
        return addr(10, 0, 1, i + 1);
    }

    static int localB(int i) {
        return addr(10, 0, 2, i + 1);
    }

    ForwardingTables forwarding() {
        return ForwardingTables.capture(ip4, ip6, loadBalances, adjacencies);
    }

    TunnelEncap encap() {
        ForwardingTables tables = forwarding();
        TunnelTable.Snapshot tunnels = tunnelsA.snapshot();
        return new TunnelEncap(new TunnelEncap.Params(() -> tables, () -> tunnels));
    }

    /** Encapsulation reading the live tables, so a test can change them between runs. */
    TunnelEncap liveEncap() {
        return new TunnelEncap(new TunnelEncap.Params(this::forwarding, tunnelsA::snapshot));
    }

    TunnelDecap decapB() {
        TunnelTable.Snapshot tunnels = tunnelsB.snapshot();
        return new TunnelDecap(new TunnelDecap.Params(() -> tunnels));
    }
}
