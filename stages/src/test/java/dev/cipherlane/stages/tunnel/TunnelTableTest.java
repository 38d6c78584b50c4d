package dev.cipherlane.stages.tunnel;

import static dev.cipherlane.stages.tunnel.TunnelTestPackets.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TunnelTableTest {
    private static final int LOCAL = addr(10, 0, 0, 1);
    private static final int REMOTE = addr(10, 0, 0, 2);

    @Test
    void snapshotReadsTunnelsByIndexAndByOuterPair() {
        TunnelTable table = new TunnelTable();
        int t = table.add(LOCAL, REMOTE, 5, 2, 1500);
        TunnelTable.Snapshot s = table.snapshot();
        assertTrue(s.contains(t));
        assertEquals(LOCAL, s.local(t));
        assertEquals(REMOTE, s.remote(t));
        assertEquals(5, s.underlayAdjacency(t));
        assertEquals(2, s.txInterface(t));
        assertEquals(1500, s.mtu(t));
        assertEquals(t, s.find(REMOTE, LOCAL), "a received packet comes from the remote to us");
        assertEquals(TunnelTable.Snapshot.NOT_FOUND, s.find(LOCAL, REMOTE));
    }

    @Test
    void snapshotsAreImmutableAndCachedUntilAChange() {
        TunnelTable table = new TunnelTable();
        int t = table.add(LOCAL, REMOTE, 5, 2, 1500);
        TunnelTable.Snapshot before = table.snapshot();
        assertSame(before, table.snapshot());
        table.updateUnderlay(t, 6, 3, 1400);
        TunnelTable.Snapshot after = table.snapshot();
        assertEquals(5, before.underlayAdjacency(t));
        assertEquals(1500, before.mtu(t));
        assertEquals(6, after.underlayAdjacency(t));
        assertEquals(3, after.txInterface(t));
        assertEquals(1400, after.mtu(t));
        table.remove(t);
        assertTrue(after.contains(t));
        assertFalse(table.snapshot().contains(t));
        assertEquals(TunnelTable.Snapshot.NOT_FOUND, table.snapshot().find(REMOTE, LOCAL));
    }

    @Test
    void removedIndexIsReusedAndTheOldPairMayComeBack() {
        TunnelTable table = new TunnelTable();
        int t = table.add(LOCAL, REMOTE, 5, 2, 1500);
        table.remove(t);
        assertEquals(t, table.add(LOCAL, REMOTE, 5, 2, 1500));
    }

    @Test
    void invalidTunnelsAreRefused() {
        TunnelTable table = new TunnelTable();
        table.add(LOCAL, REMOTE, 5, 2, 1500);
        assertThrows(IllegalArgumentException.class, () -> table.add(LOCAL, REMOTE, 6, 2, 1500), "duplicate pair");
        assertThrows(IllegalArgumentException.class, () -> table.add(LOCAL, REMOTE + 1, 5, 2, 87));
        assertThrows(IllegalArgumentException.class, () -> table.add(LOCAL, REMOTE + 1, 5, 2, 65536));
        assertThrows(IllegalArgumentException.class, () -> table.add(LOCAL, REMOTE + 1, -1, 2, 1500));
        assertThrows(IllegalArgumentException.class, () -> table.add(LOCAL, REMOTE + 1, 5, -1, 1500));
        assertThrows(IllegalArgumentException.class, () -> table.remove(7));
        int smallest = table.add(LOCAL, REMOTE + 1, 5, 2, 88);
        assertEquals(88, table.snapshot().mtu(smallest), "68 bytes inside");
    }

    @Test
    void manyTunnelsAreAllFoundByTheirPair() {
        TunnelTable table = new TunnelTable();
        int[] index = new int[1000];
        for (int i = 0; i < index.length; i++) {
            // Several tunnels per peer and several peers, as DESIGN.md's nodes have.
            index[i] = table.add(addr(10, 0, 1, i % 4), addr(10, 1, i / 4 / 256, i / 4 % 256), 5, 2, 1500);
        }
        TunnelTable.Snapshot s = table.snapshot();
        for (int i = 0; i < index.length; i++) {
            assertEquals(index[i], s.find(addr(10, 1, i / 4 / 256, i / 4 % 256), addr(10, 0, 1, i % 4)));
        }
        assertEquals(TunnelTable.Snapshot.NOT_FOUND, s.find(addr(10, 9, 9, 9), addr(10, 0, 1, 0)));
    }

    @Test
    void emptySnapshotFindsNothing() {
        TunnelTable.Snapshot s = new TunnelTable().snapshot();
        assertEquals(0, s.size());
        assertFalse(s.contains(0));
        assertFalse(s.contains(-1));
        assertEquals(TunnelTable.Snapshot.NOT_FOUND, s.find(REMOTE, LOCAL));
    }
}
