package dev.cipherlane.stages.neighbour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.neighbour.NeighbourTable.State;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NeighbourTableTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long MAC_A = 0x5254_00AA_0001L;
    private static final long MAC_B = 0x5254_00AA_0002L;

    /** Reachable 10 s, stale 20 s more, incomplete 3 s. */
    private static NeighbourTable table(int maxEntries) {
        return new NeighbourTable(new NeighbourTable.Params(10 * S, 20 * S, 3 * S, maxEntries));
    }

    private static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** Records listener calls as readable strings. */
    private static final class Events implements NeighbourTable.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public synchronized void resolved(int itf, boolean ip6, long hi, long lo, long mac) {
            seen.add("resolved " + itf + (ip6 ? " v6 " + Long.toHexString(hi) + ":" : " v4 ") + Long.toHexString(lo)
                    + " " + Long.toHexString(mac));
        }

        @Override
        public synchronized void lost(int itf, boolean ip6, long hi, long lo) {
            seen.add("lost " + itf + (ip6 ? " v6 " + Long.toHexString(hi) + ":" : " v4 ") + Long.toHexString(lo));
        }
    }

    @Test
    void keysAreInterfaceAndFamilyScoped() {
        NeighbourTable t = table(16);
        t.learn4(0, ip(10, 0, 0, 2), MAC_A, 0);
        t.learn4(1, ip(10, 0, 0, 2), MAC_B, 0);
        t.learn6(0, 0, ip(10, 0, 0, 2) & 0xFFFF_FFFFL, 0x5254_00AA_0003L, 0);
        t.learn6(0, 0xFE80_0000_0000_0000L, 1, 0x5254_00AA_0004L, 0);

        assertEquals(MAC_A, t.lookup4(0, ip(10, 0, 0, 2)));
        assertEquals(MAC_B, t.lookup4(1, ip(10, 0, 0, 2)));
        assertEquals(0x5254_00AA_0003L, t.lookup6(0, 0, ip(10, 0, 0, 2) & 0xFFFF_FFFFL));
        assertEquals(0x5254_00AA_0004L, t.lookup6(0, 0xFE80_0000_0000_0000L, 1));
        assertEquals(NeighbourTable.NONE, t.lookup4(2, ip(10, 0, 0, 2)));
        assertEquals(NeighbourTable.NONE, t.lookup6(1, 0xFE80_0000_0000_0000L, 1));
        assertEquals(4, t.size());
    }

    @Test
    void agesReachableToStaleToGoneAndAConfirmationRestartsTheClock() {
        NeighbourTable t = table(16);
        Events events = new Events();
        t.addListener(events);
        int a = ip(10, 0, 0, 2);
        int b = ip(10, 0, 0, 3);
        t.learn4(0, a, MAC_A, 0);
        t.learn4(0, b, MAC_B, 0);

        assertEquals(0, t.expire(10 * S - 1));
        assertEquals(State.REACHABLE, t.state4(0, a));
        assertEquals(0, t.expire(10 * S));
        assertEquals(State.STALE, t.state4(0, a));
        assertEquals(MAC_A, t.lookup4(0, a), "a stale neighbour is still used");

        // b confirmed again at 15 s: reachable for another 10 s.
        t.refresh4(0, b, MAC_B, 15 * S);
        assertEquals(State.REACHABLE, t.state4(0, b));

        assertEquals(0, t.expire(30 * S - 1));
        assertEquals(State.STALE, t.state4(0, a));
        assertEquals(State.STALE, t.state4(0, b));
        assertEquals(1, t.expire(30 * S));
        assertNull(t.state4(0, a));
        assertEquals(NeighbourTable.NONE, t.lookup4(0, a));
        assertEquals(1, t.expire(45 * S));
        assertNull(t.state4(0, b));
        assertEquals(0, t.size());
        assertEquals(List.of("resolved 0 v4 a000002 525400aa0001", "resolved 0 v4 a000003 525400aa0002",
                "lost 0 v4 a000002", "lost 0 v4 a000003"), events.seen);
    }

    @Test
    void anUnexpiredReachableEntryThatIsOldEnoughGoesInOnePass() {
        NeighbourTable t = table(16);
        t.learn4(0, ip(10, 0, 0, 2), MAC_A, 0);
        assertEquals(1, t.expire(31 * S));
        assertEquals(0, t.size());
    }

    @Test
    void permanentEntriesNeverAgeAndArpCannotChangeThem() {
        NeighbourTable t = table(16);
        int gw = ip(10, 0, 0, 254);
        t.addStatic4(0, gw, MAC_A, 0);

        assertFalse(t.learn4(0, gw, MAC_B, S));
        assertFalse(t.refresh4(0, gw, MAC_B, S));
        assertEquals(0, t.expire(1000 * S));
        assertEquals(State.PERMANENT, t.state4(0, gw));
        assertEquals(MAC_A, t.lookup4(0, gw));
        // Configuration may change it.
        t.addStatic4(0, gw, MAC_B, 2 * S);
        assertEquals(MAC_B, t.lookup4(0, gw));
        assertTrue(t.remove4(0, gw));
        assertFalse(t.remove4(0, gw));
    }

    @Test
    void listenerHearsOnlyRealChanges() {
        NeighbourTable t = table(16);
        Events events = new Events();
        t.addListener(events);
        int a = ip(10, 0, 0, 2);
        t.learn4(0, a, MAC_A, 0);
        t.learn4(0, a, MAC_A, S);
        t.refresh4(0, a, MAC_A, 2 * S);
        t.refresh4(0, a, MAC_B, 3 * S);
        assertFalse(t.refresh4(0, ip(10, 0, 0, 3), MAC_A, 3 * S), "merge creates nothing");
        t.remove4(0, a);

        assertEquals(List.of("resolved 0 v4 a000002 525400aa0001", "resolved 0 v4 a000002 525400aa0002",
                "lost 0 v4 a000002"), events.seen);
    }

    @Test
    void requestsAreClaimedOncePerIntervalPerNeighbour() {
        NeighbourTable t = table(16);
        Events events = new Events();
        t.addListener(events);
        int a = ip(10, 0, 0, 7);
        int b = ip(10, 0, 0, 8);

        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, a, 0, S));
        assertEquals(State.INCOMPLETE, t.state4(0, a));
        assertEquals(NeighbourTable.NONE, t.lookup4(0, a));
        assertEquals(NeighbourTable.REQUEST_RECENT, t.claimRequest4(0, a, S - 1, S));
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, b, S - 1, S), "another neighbour is independent");
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, a, S, S));
        assertEquals(NeighbourTable.REQUEST_RECENT, t.claimRequest4(0, a, S + 500 * MS, S));

        // The answer completes the INCOMPLETE entry (merge rule) and stops the requests.
        assertTrue(t.refresh4(0, a, MAC_A, 2 * S));
        assertEquals(State.REACHABLE, t.state4(0, a));
        assertEquals(NeighbourTable.REQUEST_RESOLVED, t.claimRequest4(0, a, 5 * S, S));

        // Unanswered b is given up after the incomplete time, silently (it never resolved).
        assertEquals(0, t.expire(4 * S - 2));
        assertEquals(1, t.expire(4 * S - 1));
        assertNull(t.state4(0, b));
        assertEquals(List.of("resolved 0 v4 a000007 525400aa0001"), events.seen);
    }

    @Test
    void aStaleNeighbourMayBeProbedAgain() {
        NeighbourTable t = table(16);
        int a = ip(10, 0, 0, 2);
        t.learn4(0, a, MAC_A, 0);
        t.expire(11 * S);
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, a, 11 * S, S));
        assertEquals(NeighbourTable.REQUEST_RECENT, t.claimRequest4(0, a, 11 * S + 1, S));
        assertEquals(State.STALE, t.state4(0, a));
        assertEquals(MAC_A, t.lookup4(0, a));
    }

    @Test
    void evictsTheLeastRecentlyConfirmedWhenFullAndCountsIt() {
        NeighbourTable t = table(4);
        Events events = new Events();
        t.addListener(events);
        for (int i = 1; i <= 4; i++) {
            t.learn4(0, ip(10, 0, 0, i), MAC_A + i, i * S);
        }
        t.refresh4(0, ip(10, 0, 0, 1), MAC_A + 1, 5 * S);
        assertTrue(t.learn4(0, ip(10, 0, 0, 5), MAC_A + 5, 6 * S));

        assertEquals(4, t.size());
        assertEquals(1, t.evictions());
        assertNull(t.state4(0, ip(10, 0, 0, 2)), "10.0.0.2 was confirmed longest ago");
        assertEquals(MAC_A + 1, t.lookup4(0, ip(10, 0, 0, 1)));
        assertTrue(events.seen.contains("lost 0 v4 a000002"));
    }

    @Test
    void evictsIncompleteThenStaleBeforeReachable() {
        NeighbourTable t = table(4);
        t.learn4(0, ip(10, 0, 0, 1), MAC_A, 0);
        t.learn4(0, ip(10, 0, 0, 2), MAC_A, 1 * S);
        t.learn4(0, ip(10, 0, 0, 3), MAC_A, 20 * S);
        t.claimRequest4(0, ip(10, 0, 0, 4), 25 * S, S);

        // Full: the INCOMPLETE one goes first, although it is the newest.
        t.learn4(0, ip(10, 0, 0, 5), MAC_A, 26 * S);
        assertNull(t.state4(0, ip(10, 0, 0, 4)));
        // Then the stale ones (10.0.0.1 and .2 are past their reachable time), oldest first.
        t.learn4(0, ip(10, 0, 0, 6), MAC_A, 27 * S);
        assertNull(t.state4(0, ip(10, 0, 0, 1)));
        t.learn4(0, ip(10, 0, 0, 7), MAC_A, 28 * S);
        assertNull(t.state4(0, ip(10, 0, 0, 2)));
        assertEquals(State.REACHABLE, t.state4(0, ip(10, 0, 0, 3)));
        assertEquals(3, t.evictions());
    }

    @Test
    void aRequestIsAlwaysTrackedAndEvictsTheLeastRecentlyConfirmed() {
        NeighbourTable t = table(2);
        t.learn4(0, ip(10, 0, 0, 1), MAC_A, 0);
        t.learn4(0, ip(10, 0, 0, 2), MAC_B, S);

        // Learned entries may not stop us from asking for a destination we need.
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, ip(10, 0, 0, 9), 2 * S, S));
        assertEquals(1, t.evictions());
        assertEquals(2, t.size());
        assertNull(t.state4(0, ip(10, 0, 0, 1)), "10.0.0.1 was confirmed longest ago");
        // Unanswered requests take at most half of the interface: the next goes instead.
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, ip(10, 0, 0, 8), 3 * S, S));
        assertNull(t.state4(0, ip(10, 0, 0, 9)));
        assertEquals(MAC_B, t.lookup4(0, ip(10, 0, 0, 2)));
    }

    @Test
    void staticEntriesHaveAReserveOfTheirOwn() {
        NeighbourTable t = table(2);
        t.addStatic4(0, ip(10, 0, 0, 1), MAC_A, 0);
        t.addStatic4(0, ip(10, 0, 0, 2), MAC_B, 0);

        assertTrue(t.learn4(0, ip(10, 0, 0, 3), MAC_A, S));
        assertEquals(NeighbourTable.REQUEST_DUE, t.claimRequest4(0, ip(10, 0, 0, 4), S, S));
        assertThrows(IllegalStateException.class, () -> t.addStatic4(0, ip(10, 0, 0, 5), MAC_A, S));
        assertThrows(IllegalStateException.class, () -> t.pin4(0, ip(10, 0, 0, 6), S));
        assertEquals(4, t.size());
        assertEquals(2, t.pinnedCount());
    }

    @Test
    void matchesAReferenceMapUnderRandomInsertsAndRemovals() {
        // Exercises backward-shift deletion: every key must stay findable after removals
        // shift its neighbours in the probe sequence.
        NeighbourTable t = table(64);
        Map<Long, Long> reference = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            int itf = random.nextInt(3);
            int address = ip(10, 0, random.nextInt(2), random.nextInt(40));
            long key = (long) itf << 32 | (address & 0xFFFF_FFFFL);
            if (random.nextInt(3) == 0) {
                assertEquals(reference.remove(key) != null, t.remove4(itf, address));
            } else if (reference.size() < 64 || reference.containsKey(key)) {
                long mac = random.nextLong() & 0x0000_FEFF_FFFF_FFFFL;
                assertTrue(t.learn4(itf, address, mac, step));
                reference.put(key, mac);
            }
            assertEquals(reference.size(), t.size());
        }
        for (int itf = 0; itf < 3; itf++) {
            for (int c = 0; c < 2; c++) {
                for (int d = 0; d < 40; d++) {
                    long key = (long) itf << 32 | (ip(10, 0, c, d) & 0xFFFF_FFFFL);
                    Long mac = reference.get(key);
                    assertEquals(mac == null ? NeighbourTable.NONE : mac, t.lookup4(itf, ip(10, 0, c, d)));
                }
            }
        }
        assertEquals(0, t.evictions());
    }

    @Test
    void readersOnOtherThreadsNeverSeeATornEntry() throws Exception {
        // Each neighbour's MAC encodes its address, so any MAC a reader gets back must
        // match the address it asked for, whatever the writers were doing.
        NeighbourTable t = table(256);
        AtomicReference<String> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + 300 * MS;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(seed);
                long now = 0;
                while (System.nanoTime() < deadline) {
                    int d = random.nextInt(1000);
                    if (random.nextBoolean()) {
                        t.learn4(0, ip(10, 1, d >> 8, d), 0x0200_0000_0000L | d, now++);
                    } else {
                        t.remove4(0, ip(10, 1, d >> 8, d));
                    }
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            int seed = 10 + r;
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(seed);
                while (System.nanoTime() < deadline) {
                    int d = random.nextInt(1000);
                    long mac = t.lookup4(0, ip(10, 1, d >> 8, d));
                    if (mac != NeighbourTable.NONE && mac != (0x0200_0000_0000L | d)) {
                        failure.compareAndSet(null, "10.1.x." + d + " read " + Long.toHexString(mac));
                    }
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        assertNull(failure.get());
        assertTrue(t.size() <= 256);
    }

    @Test
    void formatListsAddressMacInterfaceStateAndAge() {
        NeighbourTable t = table(16);
        InterfaceTable interfaces = new InterfaceTable();
        interfaces.put(new NetInterface(0, "uplink", 0x0200_0000_0001L, 1500, List.of(), List.of()));
        t.learn4(0, ip(10, 0, 0, 2), MAC_A, 0);
        t.addStatic4(0, ip(10, 0, 0, 254), MAC_B, 0);
        t.claimRequest4(3, ip(192, 168, 1, 9), 4 * S, S);
        t.learn6(0, 0xFE80_0000_0000_0000L, 1, MAC_A, S);

        String out = t.format(5 * S + 250 * MS, interfaces);
        String[] lines = out.split("\n");
        assertEquals(8, lines.length, out);
        assertTrue(lines[0].startsWith("Address"), out);
        assertEquals(List.of("10.0.0.2", "52:54:00:aa:00:01", "uplink", "REACHABLE", "5.3s"), List.of(lines[1].split("\\s+")));
        assertEquals(List.of("10.0.0.254", "52:54:00:aa:00:02", "uplink", "PERMANENT", "-"), List.of(lines[2].split("\\s+")));
        assertEquals(List.of("fe80::1", "52:54:00:aa:00:01", "uplink", "REACHABLE", "4.3s"), List.of(lines[3].split("\\s+")));
        assertEquals(List.of("192.168.1.9", "-", "if3", "INCOMPLETE", "1.3s"), List.of(lines[4].split("\\s+")));
        assertEquals("dynamic on uplink: 2 of 16", lines[5]);
        assertEquals("dynamic on if3: 1 of 16", lines[6]);
        assertEquals("evictions: 0", lines[7]);
    }

    @Test
    void rejectsNonsenseParameters() {
        assertThrows(IllegalArgumentException.class, () -> new NeighbourTable.Params(0, S, S, 10));
        assertThrows(IllegalArgumentException.class, () -> new NeighbourTable.Params(S, S, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new NeighbourTable.Params(S, S, S, 0));
        assertThrows(IllegalArgumentException.class, () -> table(16).learn4(-1, 1, MAC_A, 0));
    }
}
