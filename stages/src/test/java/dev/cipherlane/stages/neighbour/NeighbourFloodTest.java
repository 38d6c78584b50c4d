package dev.cipherlane.stages.neighbour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.neighbour.NeighbourTable.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 5: 100,000 made-up senders per interface cannot push out what the node
 * needs, cannot take more than their interface's share, and cost the same per insert at any
 * table size.
 */
class NeighbourFloodTest {
    private static final long S = 1_000_000_000L;
    private static final int UPLINK = 1;
    private static final int POD = 2;
    private static final int OTHER_POD = 3;
    private static final int FLOOD = 100_000;
    private static final int NEXT_HOP = 10 << 24 | 200 << 16 | 2;
    private static final int POD_ADDRESS = 10 << 24 | 1 << 16 | 1 << 8 | 11;
    private static final long NEXT_HOP_MAC = 0x0200_0000_0202L;
    private static final long POD_MAC = 0x0200_0000_0b01L;

    private static NeighbourTable table(int maxEntries, int perInterface) {
        return new NeighbourTable(new NeighbourTable.Params(30 * S, 60 * S, 3 * S, maxEntries, perInterface));
    }

    /** Remembers every neighbour the table reported lost. */
    private static final class Losses implements NeighbourTable.Listener {
        final List<String> lost = new ArrayList<>();

        @Override
        public void resolved(int itf, boolean ip6, long hi, long lo, long mac) {}

        @Override
        public synchronized void lost(int itf, boolean ip6, long hi, long lo) {
            lost.add(itf + (ip6 ? "/v6 " : "/v4 ") + Long.toHexString(hi) + ":" + Long.toHexString(lo));
        }
    }

    @Test
    void aFloodOfSpoofedSendersLeavesPinnedEntriesResolvedAndStaysWithinItsLimits() {
        NeighbourTable t = table(4096, 1024);
        Losses losses = new Losses();
        t.addListener(losses);
        // What the supervisor sets up: the pod's static entry and the tunnel's next hop,
        // resolved the way the underlay solicitor does it (a request, then the reply).
        t.addStatic4(POD, POD_ADDRESS, POD_MAC, 0);
        t.pin4(UPLINK, NEXT_HOP, 0);
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(UPLINK, NEXT_HOP, 0, S));
        assertTrue(t.learn4(UPLINK, NEXT_HOP, NEXT_HOP_MAC, 0));
        int otherPodsNeighbour = 10 << 24 | 1 << 16 | 1 << 8 | 12;
        t.learn4(OTHER_POD, otherPodsNeighbour, POD_MAC + 1, 0);

        Random random = new Random(7);
        for (int i = 0; i < FLOOD; i++) {
            long now = i * 1000L;
            long mac = 0x0200_0000_0000L | random.nextInt(1 << 30);
            t.learn4(UPLINK, 0x0A10_0000 + i, mac, now);
            t.learn4(POD, 0x0C00_0000 + i, mac, now);
            t.learn6(POD, 0xFE80_0000_0000_0000L, i, mac, now);
            t.claimRequest4(UPLINK, 0x0B00_0000 + i, now, S);
        }

        assertEquals(NEXT_HOP_MAC, t.lookup4(UPLINK, NEXT_HOP), "the tunnel's next hop stays resolved");
        assertEquals(State.REACHABLE, t.state4(UPLINK, NEXT_HOP));
        assertTrue(t.pinned4(UPLINK, NEXT_HOP));
        assertEquals(POD_MAC, t.lookup4(POD, POD_ADDRESS));
        assertEquals(POD_MAC + 1, t.lookup4(OTHER_POD, otherPodsNeighbour),
                "a flood on other interfaces leaves this one's learned neighbour alone");
        assertEquals(List.of(), losses.lost.stream().filter(l -> !l.startsWith(UPLINK + "/") && !l.startsWith(POD + "/"))
                .toList());
        assertTrue(losses.lost.stream().noneMatch(l -> l.equals(UPLINK + "/v4 0:" + Integer.toHexString(NEXT_HOP))));
        assertEquals(1024, t.dynamicOn(UPLINK));
        assertEquals(1024, t.dynamicOn(POD));
        assertEquals(1, t.dynamicOn(OTHER_POD));
        assertEquals(2, t.pinnedCount());
        assertEquals(2 + 2 * 1024 + 1, t.size());
        assertEquals(NeighbourTable.REQUEST_RESOLVED, t.claimRequest4(UPLINK, NEXT_HOP, FLOOD * 1000L, S));
        // A destination nobody pinned is still tracked on a full interface.
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(UPLINK, 10 << 24 | 200 << 16 | 9, FLOOD * 1000L, S));
    }

    @Test
    void anAgedPinnedNextHopIsAskedForAgainNeverDropped() {
        NeighbourTable t = table(16, 4);
        t.pin4(UPLINK, NEXT_HOP, 0);
        t.learn4(UPLINK, NEXT_HOP, NEXT_HOP_MAC, 0);
        for (int i = 0; i < 100; i++) {
            t.learn4(UPLINK, 0x0A00_0000 | i, NEXT_HOP_MAC + 1, 0);
        }

        t.expire(90 * S);
        assertEquals(State.INCOMPLETE, t.state4(UPLINK, NEXT_HOP), "its MAC is no longer trusted");
        t.expire(200 * S);
        assertEquals(State.INCOMPLETE, t.state4(UPLINK, NEXT_HOP), "but the entry stays, out of eviction's reach");
        assertEquals(0, t.dynamicOn(UPLINK));
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(UPLINK, NEXT_HOP, 200 * S, S));
        for (int i = 0; i < 100; i++) {
            t.learn4(UPLINK, 0x0A00_0000 | i, NEXT_HOP_MAC + 1, 201 * S);
        }
        assertTrue(t.refresh4(UPLINK, NEXT_HOP, NEXT_HOP_MAC, 201 * S), "the answer still finds its entry");
        assertEquals(NEXT_HOP_MAC, t.lookup4(UPLINK, NEXT_HOP));
    }

    @Test
    void pinningALearnedEntryTakesItOffItsInterfacesShare() {
        NeighbourTable t = table(16, 2);
        t.learn4(UPLINK, NEXT_HOP, NEXT_HOP_MAC, 0);
        t.pin4(UPLINK, NEXT_HOP, S);
        t.learn4(UPLINK, 1, 1, S);
        t.learn4(UPLINK, 2, 1, S);
        t.learn4(UPLINK, 3, 1, S);

        assertEquals(2, t.dynamicOn(UPLINK));
        assertEquals(NEXT_HOP_MAC, t.lookup4(UPLINK, NEXT_HOP));
        assertEquals(1, t.evictions());
    }

    @Test
    void aFullTableTakesTheLeastRecentlyUsedOfAnyInterface() {
        NeighbourTable t = table(4, 4);
        t.learn4(POD, 1, 1, 0);
        t.learn4(OTHER_POD, 2, 1, S);
        t.learn4(OTHER_POD, 3, 1, 2 * S);
        t.learn4(OTHER_POD, 4, 1, 3 * S);
        t.refresh4(POD, 1, 1, 4 * S);
        t.learn4(UPLINK, 5, 1, 5 * S);

        assertEquals(1, t.lookup4(POD, 1), "confirmed most recently but one");
        assertEquals(NeighbourTable.NONE, t.lookup4(OTHER_POD, 2));
        assertEquals(4, t.size());
    }

    /**
     * The write path's probes (index slots and list steps) per insert into a full table, each
     * insert evicting: the same at 1,000, 10,000 and 100,000 entries. Counted, not timed.
     */
    @Test
    void insertCostIsFlatInTableSize() {
        double[] perInsert = new double[3];
        int[] sizes = {1_000, 10_000, 100_000};
        for (int k = 0; k < sizes.length; k++) {
            int size = sizes[k];
            NeighbourTable t = table(size, size);
            // An odd multiplier is a bijection on ints: distinct, scattered senders.
            for (int i = 0; i < size; i++) {
                t.learn4(UPLINK, i * 0x9E37_79B1, 1, i);
            }
            assertEquals(size, t.size());
            long before = t.probes();
            for (int i = 0; i < FLOOD; i++) {
                t.learn4(UPLINK, (size + i) * 0x9E37_79B1, 1, size + i);
            }
            perInsert[k] = (double) (t.probes() - before) / FLOOD;
            assertEquals(size, t.size());
        }
        System.out.printf("NeighbourFloodTest: probes per insert at 1k %.2f, 10k %.2f, 100k %.2f%n", perInsert[0],
                perInsert[1], perInsert[2]);
        double min = Math.min(perInsert[0], Math.min(perInsert[1], perInsert[2]));
        double max = Math.max(perInsert[0], Math.max(perInsert[1], perInsert[2]));
        assertTrue(max < 12, () -> "an insert inspects a handful of slots, not the table: " + max);
        assertTrue(max <= 1.25 * min, () -> "flat in the table's size: " + min + " .. " + max);
    }
}
