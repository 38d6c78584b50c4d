package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.wire.IpProtocol;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tunnel (midchain) adjacencies: a tunnel index beside the existing kinds, failing closed. */
class TunnelAdjacencyTest {

    private static final byte[] OUR_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    private static final byte[] PEER_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

    @Test
    void tunnelAdjacencyCarriesItsTunnelAndReadsAsDropToOtherStages() {
        AdjacencyTable table = new AdjacencyTable();
        int adj = table.addTunnel(7);
        assertEquals(7, table.tunnel(adj));
        assertEquals(AdjacencyKind.DROP, table.kind(adj), "a stage unaware of tunnels must not forward it");
        assertFalse(table.isIp6(adj));
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        assertEquals(7, snapshot.tunnel(adj));
        assertEquals(AdjacencyKind.DROP, snapshot.kind(adj));
    }

    @Test
    void otherAdjacenciesHaveNoTunnel() {
        AdjacencyTable table = new AdjacencyTable();
        int neighbour = table.addRewrite4(1, 0x0A000001, OUR_MAC, PEER_MAC);
        int local = table.addLocal4(1, 0x0A000002);
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        for (int adj : new int[] {AdjacencyTable.DROP, AdjacencyTable.PUNT, neighbour, local}) {
            assertEquals(AdjacencyTable.NO_TUNNEL, table.tunnel(adj));
            assertEquals(AdjacencyTable.NO_TUNNEL, snapshot.tunnel(adj));
        }
    }

    @Test
    void reusedIndexForgetsTheTunnelAndOldSnapshotsKeepIt() {
        AdjacencyTable table = new AdjacencyTable();
        int adj = table.addTunnel(3);
        AdjacencyTable.Snapshot before = table.snapshot();
        table.remove(adj);
        assertEquals(AdjacencyTable.NO_TUNNEL, table.snapshot().tunnel(adj));
        int reused = table.addGlean4(2);
        assertEquals(adj, reused, "freed indices are reused");
        assertEquals(AdjacencyTable.NO_TUNNEL, table.tunnel(reused));
        assertEquals(3, before.tunnel(adj), "published snapshots do not change");
    }

    @Test
    void negativeTunnelIndexIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AdjacencyTable().addTunnel(-1));
    }

    @Test
    void tunnelIndexSurvivesGrowth() {
        AdjacencyTable table = new AdjacencyTable();
        int[] adjs = new int[200];
        for (int t = 0; t < adjs.length; t++) {
            adjs[t] = table.addTunnel(t);
        }
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        for (int t = 0; t < adjs.length; t++) {
            assertEquals(t, snapshot.tunnel(adjs[t]));
        }
    }

    @Test
    void loadBalancerOverTunnelsSpreadsFlowsAndLocksThePaths() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        LoadBalanceTable lbs = new LoadBalanceTable(adjacencies);
        int[] paths = {adjacencies.addTunnel(0), adjacencies.addTunnel(1), adjacencies.addTunnel(2),
                adjacencies.addTunnel(3)};
        int lb = lbs.create(paths);
        assertThrows(IllegalStateException.class, () -> adjacencies.remove(paths[0]));
        LoadBalanceTable.Snapshot snapshot = lbs.snapshot();
        AdjacencyTable.Snapshot adjs = adjacencies.snapshot();
        Set<Integer> used = new HashSet<>();
        for (int flow = 0; flow < 64; flow++) {
            int hash = FlowHash.hash4(0x0A010000 + flow, 0x0A020000 + flow, IpProtocol.TCP, 40000 + flow, 443);
            used.add(adjs.tunnel(snapshot.pick(lb, hash)));
        }
        assertTrue(used.containsAll(Set.of(0, 1, 2, 3)), "used " + used);
    }
}
