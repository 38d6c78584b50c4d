package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoadBalanceTableTest {

    private AdjacencyTable adjacencies;
    private LoadBalanceTable table;
    private int[] adj;

    @BeforeEach
    void tables() {
        adjacencies = new AdjacencyTable();
        adj = new int[LoadBalanceTable.MAX_PATHS + 1];
        for (int i = 0; i < adj.length; i++) {
            adj[i] = adjacencies.addGlean4(i);
        }
        table = new LoadBalanceTable(adjacencies);
    }

    @Test
    void permanentLoadBalancersLeadToDropAndPunt() {
        LoadBalanceTable.Snapshot snapshot = table.snapshot();
        for (int hash : new int[] {0, 1, -1, 0x1234_5678}) {
            assertEquals(AdjacencyTable.DROP, snapshot.pick(LoadBalanceTable.DROP, hash));
            assertEquals(AdjacencyTable.PUNT, snapshot.pick(LoadBalanceTable.PUNT, hash));
        }
        assertThrows(IllegalArgumentException.class, () -> table.remove(LoadBalanceTable.DROP));
        assertThrows(IllegalArgumentException.class, () -> table.update(LoadBalanceTable.PUNT, adj[0]));
    }

    @Test
    void singlePathAlwaysReturnsIt() {
        int lb = table.create(adj[3]);
        LoadBalanceTable.Snapshot snapshot = table.snapshot();
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(adj[3], snapshot.pick(lb, random.nextInt()));
        }
        assertEquals(1, snapshot.pathCount(lb));
        assertEquals(adj[3], snapshot.path(lb, 0));
    }

    @Test
    void everyPathCountUsesEveryPathFairlyAndStably() {
        for (int n = 1; n <= LoadBalanceTable.MAX_PATHS; n++) {
            int[] paths = new int[n];
            System.arraycopy(adj, 0, paths, 0, n);
            int lb = table.create(paths);
            LoadBalanceTable.Snapshot snapshot = table.snapshot();
            int buckets = snapshot.bucketCount(lb);
            assertEquals(1, Integer.bitCount(buckets), "power of two");
            assertTrue(n == 1 || buckets >= 16, "at least 16 buckets for ECMP");
            int[] share = new int[adjacencies.size()];
            for (int hash = 0; hash < buckets; hash++) {
                int chosen = snapshot.pick(lb, hash);
                share[chosen]++;
                // Only the low bits choose: the same hash, whatever its high bits, same path.
                assertEquals(chosen, snapshot.pick(lb, hash | (0x5A5A_0000 & ~(buckets - 1))));
                assertEquals(chosen, table.pick(lb, hash));
            }
            int least = Integer.MAX_VALUE;
            int most = 0;
            for (int path : paths) {
                least = Math.min(least, share[path]);
                most = Math.max(most, share[path]);
            }
            assertTrue(least > 0, n + " paths: a path is never chosen");
            assertTrue(most - least <= 1, n + " paths: buckets split " + least + ".." + most);
            assertEquals(n, snapshot.pathCount(lb));
            for (int i = 0; i < n; i++) {
                assertEquals(paths[i], snapshot.path(lb, i));
            }
        }
    }

    @Test
    void sameHashSamePathAcrossIndependentTables() {
        // Two tables built the same way stand for two runs of the node service.
        AdjacencyTable otherAdjacencies = new AdjacencyTable();
        int[] otherAdj = new int[adj.length];
        for (int i = 0; i < adj.length; i++) {
            otherAdj[i] = otherAdjacencies.addGlean4(i);
        }
        LoadBalanceTable other = new LoadBalanceTable(otherAdjacencies);
        int lb = table.create(adj[0], adj[1], adj[2]);
        int otherLb = other.create(otherAdj[0], otherAdj[1], otherAdj[2]);
        Random random = new Random(2);
        for (int i = 0; i < 10_000; i++) {
            int hash = random.nextInt();
            assertEquals(table.snapshot().pick(lb, hash), other.snapshot().pick(otherLb, hash));
        }
    }

    @Test
    void pathsAreValidatedAndLocked() {
        assertThrows(IllegalArgumentException.class, () -> table.create());
        assertThrows(IllegalArgumentException.class, () -> table.create(adj));
        assertThrows(IllegalArgumentException.class, () -> table.create(adj[0], adj[0]));
        assertThrows(IllegalArgumentException.class, () -> table.create(adjacencies.size()));
        int lb = table.create(adj[0], adj[1]);
        assertEquals(1, adjacencies.lockCount(adj[0]));
        assertThrows(IllegalStateException.class, () -> adjacencies.remove(adj[0]));
        table.update(lb, adj[1], adj[2]);
        assertEquals(0, adjacencies.lockCount(adj[0]));
        assertEquals(1, adjacencies.lockCount(adj[1]));
        adjacencies.remove(adj[0]);
        table.remove(lb);
        assertEquals(0, adjacencies.lockCount(adj[1]));
        assertEquals(0, adjacencies.lockCount(adj[2]));
    }

    @Test
    void updateKeepsTheIndexAndSnapshotsKeepTheirPaths() {
        int lb = table.create(adj[0], adj[1]);
        LoadBalanceTable.Snapshot before = table.snapshot();
        table.update(lb, adj[5]);
        LoadBalanceTable.Snapshot after = table.snapshot();
        assertEquals(2, before.pathCount(lb));
        assertEquals(1, after.pathCount(lb));
        assertEquals(adj[5], after.pick(lb, 12345));
        int[] seen = new int[2];
        for (int hash = 0; hash < 64; hash++) {
            seen[before.pick(lb, hash) == adj[0] ? 0 : 1]++;
        }
        assertArrayEquals(new int[] {32, 32}, seen, "the old snapshot still splits over both paths");
    }

    @Test
    void removedIndicesReadAsDropAndAreReused() {
        int lb = table.create(adj[0], adj[1]);
        table.remove(lb);
        assertFalse(table.contains(lb));
        LoadBalanceTable.Snapshot snapshot = table.snapshot();
        assertEquals(AdjacencyTable.DROP, snapshot.pick(lb, 7));
        assertEquals(lb, table.create(adj[4]));
        assertEquals(adj[4], table.snapshot().pick(lb, 7));
    }
}
