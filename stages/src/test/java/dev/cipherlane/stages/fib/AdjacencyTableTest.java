package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AdjacencyTableTest {

    private static final byte[] OUR_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    private static final byte[] PEER_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, (byte) 0xAB};
    private static final byte[] MOVED_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, (byte) 0xCD};

    @Test
    void dropAndPuntArePermanent() {
        AdjacencyTable table = new AdjacencyTable();
        assertEquals(AdjacencyKind.DROP, table.kind(AdjacencyTable.DROP));
        assertEquals(AdjacencyKind.PUNT, table.kind(AdjacencyTable.PUNT));
        assertEquals(2, table.size());
        assertThrows(IllegalArgumentException.class, () -> table.remove(AdjacencyTable.DROP));
        assertThrows(IllegalArgumentException.class, () -> table.remove(AdjacencyTable.PUNT));
    }

    @Test
    void neighbourStartsIncompleteAndArpCompletesItsRewrite() {
        AdjacencyTable table = new AdjacencyTable();
        int nextHop = Prefixes.parse4("192.168.1.1").address();
        int adj = table.addNeighbor4(3, nextHop, OUR_MAC);
        assertEquals(AdjacencyKind.INCOMPLETE, table.kind(adj));
        assertEquals(3, table.txInterface(adj));
        assertEquals(nextHop, table.nextHop4(adj));
        assertFalse(table.isIp6(adj));

        table.updateRewrite(adj, PEER_MAC);
        assertEquals(AdjacencyKind.REWRITE, table.kind(adj));
        assertArrayEquals(ethernet(PEER_MAC, OUR_MAC, 0x08, 0x00), table.rewrite(adj));

        table.updateRewrite(adj, MOVED_MAC);
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        byte[] bytes = snapshot.rewriteBytes();
        int at = snapshot.rewriteOffset(adj);
        assertEquals(adj * AdjacencyTable.REWRITE_STRIDE, at);
        assertArrayEquals(ethernet(MOVED_MAC, OUR_MAC, 0x08, 0x00),
                Arrays.copyOfRange(bytes, at, at + AdjacencyTable.REWRITE_LENGTH));

        table.markIncomplete(adj);
        assertEquals(AdjacencyKind.INCOMPLETE, table.kind(adj));
        assertArrayEquals(ethernet(new byte[6], OUR_MAC, 0x08, 0x00), table.rewrite(adj));
        assertEquals(AdjacencyKind.REWRITE, snapshot.kind(adj), "published snapshots do not change");
    }

    @Test
    void ip6NeighbourCarriesItsAddressAndEtherType() {
        AdjacencyTable table = new AdjacencyTable();
        Ip6Prefix nextHop = Prefixes.parse6("fe80::1");
        int adj = table.addRewrite6(4, nextHop.hi(), nextHop.lo(), OUR_MAC, PEER_MAC);
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        assertEquals(AdjacencyKind.REWRITE, snapshot.kind(adj));
        assertTrue(snapshot.isIp6(adj));
        assertEquals(nextHop.hi(), snapshot.nextHop6Hi(adj));
        assertEquals(nextHop.lo(), snapshot.nextHop6Lo(adj));
        MemorySegment rewrites = snapshot.rewriteSegment();
        assertEquals((short) 0x86DD, rewrites.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                snapshot.rewriteOffset(adj) + 12L));
        assertTrue(rewrites.isReadOnly(), "workers cannot corrupt a shared rewrite");
    }

    @Test
    void localAndGleanKeepTheirInterfaceAndFamily() {
        AdjacencyTable table = new AdjacencyTable();
        int local = table.addLocal4(2, 0x0A00_0001);
        int glean4 = table.addGlean4(5);
        int glean6 = table.addGlean6(6);
        int local6 = table.addLocal6(2, 0xFD00_0000_0000_0000L, 1);
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        assertEquals(AdjacencyKind.LOCAL, snapshot.kind(local));
        assertEquals(0x0A00_0001, snapshot.nextHop4(local));
        assertEquals(AdjacencyKind.GLEAN, snapshot.kind(glean4));
        assertEquals(5, snapshot.txInterface(glean4));
        assertFalse(snapshot.isIp6(glean4));
        assertTrue(snapshot.isIp6(glean6));
        assertEquals(1, snapshot.nextHop6Lo(local6));
        assertThrows(IllegalArgumentException.class, () -> table.updateRewrite(glean4, PEER_MAC),
                "a glean has no single neighbour to complete");
        assertThrows(IllegalArgumentException.class, () -> table.addNeighbor4(1, 1, new byte[5]));
    }

    @Test
    void removedAdjacenciesReadAsDropAndTheirIndexIsReused() {
        AdjacencyTable table = new AdjacencyTable();
        int adj = table.addRewrite4(1, 0x0A00_0002, OUR_MAC, PEER_MAC);
        AdjacencyTable.Snapshot before = table.snapshot();
        table.remove(adj);
        assertFalse(table.contains(adj));
        AdjacencyTable.Snapshot after = table.snapshot();
        assertEquals(AdjacencyKind.DROP, after.kind(adj));
        assertArrayEquals(new byte[AdjacencyTable.REWRITE_LENGTH], table.rewrite(adj));
        assertEquals(AdjacencyKind.REWRITE, before.kind(adj));
        assertThrows(IllegalArgumentException.class, () -> table.remove(adj));
        assertEquals(adj, table.addGlean4(9));
    }

    @Test
    void growsPastItsInitialCapacity() {
        AdjacencyTable table = new AdjacencyTable();
        int last = -1;
        for (int i = 0; i < 1000; i++) {
            last = table.addRewrite4(i, i, OUR_MAC, PEER_MAC);
        }
        AdjacencyTable.Snapshot snapshot = table.snapshot();
        assertEquals(1001, last);
        assertEquals(999, snapshot.txInterface(last));
        assertEquals(999, snapshot.nextHop4(last));
        assertEquals(PEER_MAC[5], snapshot.rewriteBytes()[snapshot.rewriteOffset(last) + 5]);
    }

    private static byte[] ethernet(byte[] dst, byte[] src, int typeHi, int typeLo) {
        byte[] header = new byte[AdjacencyTable.REWRITE_LENGTH];
        System.arraycopy(dst, 0, header, 0, 6);
        System.arraycopy(src, 0, header, 6, 6);
        header[12] = (byte) typeHi;
        header[13] = (byte) typeLo;
        return header;
    }
}
