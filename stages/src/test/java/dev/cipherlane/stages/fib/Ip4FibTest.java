package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ip4FibTest {

    private static final int ROUTES = 10_000;
    private static final int LOOKUPS = 100_000;

    private LoadBalanceTable loadBalances;
    private int[] lbPool;

    @BeforeEach
    void tables() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        int glean = adjacencies.addGlean4(1);
        loadBalances = new LoadBalanceTable(adjacencies);
        lbPool = new int[500];
        for (int i = 0; i < lbPool.length; i++) {
            lbPool[i] = loadBalances.create(glean);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 20260521})
    void matchesBruteForceOnRandomRoutesAndAfterRemovingHalf(long seed) {
        Random random = new Random(seed);
        Ip4Fib fib = new Ip4Fib(loadBalances);
        Map<Long, Integer> routes = new LinkedHashMap<>();
        List<Long> keys = new ArrayList<>();
        while (keys.size() < ROUTES) {
            int length;
            int prefix;
            if (!keys.isEmpty() && random.nextInt(100) < 30) {
                // Nest inside an existing route so overlaps are the rule, not the exception.
                long parent = keys.get(random.nextInt(keys.size()));
                int parentLength = (int) (parent >>> 32);
                if (parentLength == 32) {
                    continue;
                }
                length = parentLength + 1 + random.nextInt(32 - parentLength);
                prefix = ((int) parent | (random.nextInt() & ~mask(parentLength))) & mask(length);
            } else {
                length = realisticLength(random);
                prefix = random.nextInt() & mask(length);
            }
            int lb = lbPool[random.nextInt(lbPool.length)];
            long key = ((long) length << 32) | (prefix & 0xFFFF_FFFFL);
            if (routes.put(key, lb) == null) {
                keys.add(key);
            }
            fib.add(prefix, length, lb);
        }
        int[] addresses = lookupAddresses(random, keys);

        long started = System.nanoTime();
        Ip4Fib.Snapshot full = fib.snapshot();
        long compileMicros = (System.nanoTime() - started) / 1000;
        System.out.printf("ip4 seed %d: %d routes compiled in %d us, %d plies%n",
                seed, full.routeCount(), compileMicros, full.plyCount());
        assertEquals(routes.size(), full.routeCount());
        ReferenceLpm4 fullReference = new ReferenceLpm4(routes, LoadBalanceTable.DROP);
        int[] fullAnswers = check(full, fullReference, addresses);

        Collections.shuffle(keys, random);
        for (Long key : keys.subList(0, keys.size() / 2)) {
            assertTrue(fib.remove((int) (long) key, (int) (key >>> 32)));
            routes.remove(key);
        }
        Ip4Fib.Snapshot half = fib.snapshot();
        check(half, new ReferenceLpm4(routes, LoadBalanceTable.DROP), addresses);

        // The earlier snapshot is untouched by the removals: workers may still hold it.
        for (int i = 0; i < addresses.length; i++) {
            if (full.lookup(addresses[i]) != fullAnswers[i]) {
                fail("old snapshot changed at " + Prefixes.format4(addresses[i]));
            }
        }
    }

    @Test
    void emptyTableAnswersTheDefault() {
        assertEquals(LoadBalanceTable.DROP, new Ip4Fib(loadBalances).lookup(0x0A00_0001));
        Ip4Fib punting = new Ip4Fib(loadBalances, LoadBalanceTable.PUNT);
        assertEquals(LoadBalanceTable.PUNT, punting.lookup(0));
        assertEquals(LoadBalanceTable.PUNT, punting.lookup(-1));
    }

    @Test
    void defaultRouteCoversEveryAddressUntilRemoved() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        fib.add(0, 0, lbPool[0]);
        for (int address : new int[] {0, 1, 0x7FFF_FFFF, 0x8000_0000, -1, 0x0A01_0203}) {
            assertEquals(lbPool[0], fib.lookup(address));
        }
        assertTrue(fib.remove(0, 0));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(0x0A01_0203));
    }

    @Test
    void hostRoutesMatchOnlyTheirAddress() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        int host = addr("10.0.0.1");
        fib.add(host, 32, lbPool[1]);
        fib.add(0, 32, lbPool[2]);
        fib.add(-1, 32, lbPool[3]);
        assertEquals(lbPool[1], fib.lookup(host));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(host - 1));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(host + 1));
        assertEquals(lbPool[2], fib.lookup(0));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(1));
        assertEquals(lbPool[3], fib.lookup(-1));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(-2));
        assertEquals(6, fib.snapshot().plyCount(), "each host route needs a middle and a leaf ply");
    }

    @Test
    void nestedPrefixesLongestWinsAndRemovalRestoresTheCoveringRoute() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        fib.add(addr("10.0.0.0"), 8, lbPool[8]);
        fib.add(addr("10.1.0.0"), 16, lbPool[16]);
        fib.add(addr("10.1.2.0"), 24, lbPool[24]);
        fib.add(addr("10.1.2.128"), 25, lbPool[25]);
        fib.add(addr("10.1.2.200"), 32, lbPool[32]);
        fib.add(addr("10.1.0.0"), 20, lbPool[20]);

        assertEquals(lbPool[8], fib.lookup(addr("10.200.0.1")));
        assertEquals(lbPool[16], fib.lookup(addr("10.1.16.0")));
        assertEquals(lbPool[20], fib.lookup(addr("10.1.15.255")));
        assertEquals(lbPool[24], fib.lookup(addr("10.1.2.127")));
        assertEquals(lbPool[25], fib.lookup(addr("10.1.2.128")));
        assertEquals(lbPool[25], fib.lookup(addr("10.1.2.199")));
        assertEquals(lbPool[32], fib.lookup(addr("10.1.2.200")));
        assertEquals(lbPool[25], fib.lookup(addr("10.1.2.255")));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(addr("11.0.0.0")));

        assertTrue(fib.remove(addr("10.1.2.128"), 25));
        assertEquals(lbPool[24], fib.lookup(addr("10.1.2.199")));
        assertEquals(lbPool[32], fib.lookup(addr("10.1.2.200")));
        assertTrue(fib.remove(addr("10.1.2.0"), 24));
        assertEquals(lbPool[20], fib.lookup(addr("10.1.2.199")));
        assertTrue(fib.remove(addr("10.1.0.0"), 20));
        assertEquals(lbPool[16], fib.lookup(addr("10.1.2.199")));
        assertTrue(fib.remove(addr("10.1.0.0"), 16));
        assertEquals(lbPool[8], fib.lookup(addr("10.1.2.199")));
        assertEquals(lbPool[32], fib.lookup(addr("10.1.2.200")));
        assertFalse(fib.remove(addr("10.1.0.0"), 16), "already gone");
    }

    @Test
    void addingAnExistingPrefixReplacesItsLoadBalancer() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        int net = addr("192.168.0.0");
        fib.add(net, 16, lbPool[0]);
        fib.add(net, 16, lbPool[1]);
        assertEquals(1, fib.size());
        assertEquals(lbPool[1], fib.lookup(addr("192.168.77.1")));
        assertEquals(lbPool[1], fib.get(net, 16));
        assertEquals(0, loadBalances.lockCount(lbPool[0]), "the replaced load balancer is released");
        assertEquals(1, loadBalances.lockCount(lbPool[1]));
    }

    @Test
    void hostBitsOfAPrefixAreIgnored() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        fib.add(addr("10.1.2.3"), 8, lbPool[0]);
        assertEquals(lbPool[0], fib.get(addr("10.0.0.0"), 8));
        assertEquals(lbPool[0], fib.lookup(addr("10.255.255.255")));
        assertTrue(fib.remove(addr("10.9.9.9"), 8));
        assertEquals(0, fib.size());
    }

    @Test
    void routesLockTheirLoadBalancer() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        int lb = lbPool[7];
        fib.add(addr("10.0.0.0"), 8, lb);
        assertThrows(IllegalStateException.class, () -> loadBalances.remove(lb));
        fib.remove(addr("10.0.0.0"), 8);
        loadBalances.remove(lb);
        assertFalse(loadBalances.contains(lb));
        assertThrows(IllegalArgumentException.class, () -> fib.add(addr("10.0.0.0"), 8, lb));
        assertEquals(0, fib.size(), "a refused add changes nothing");
    }

    @Test
    void badLengthsAreRefused() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, 33, lbPool[0]));
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, -1, lbPool[0]));
        assertThrows(IllegalArgumentException.class, () -> fib.remove(0, 33));
    }

    @Test
    void snapshotIsCachedUntilAChangeAndOldSnapshotsStayAsTheyWere() {
        Ip4Fib fib = new Ip4Fib(loadBalances);
        fib.add(addr("10.0.0.0"), 8, lbPool[0]);
        Ip4Fib.Snapshot first = fib.snapshot();
        assertSame(first, fib.snapshot());
        fib.add(addr("10.0.0.0"), 24, lbPool[1]);
        Ip4Fib.Snapshot second = fib.snapshot();
        assertNotSame(first, second);
        assertEquals(lbPool[0], first.lookup(addr("10.0.0.1")));
        assertEquals(lbPool[1], second.lookup(addr("10.0.0.1")));
    }

    /** First, last, one before and one after each route; then addresses inside routes; then uniform. */
    private static int[] lookupAddresses(Random random, List<Long> keys) {
        int[] addresses = new int[LOOKUPS];
        int n = 0;
        for (long key : keys) {
            int prefix = (int) key;
            int last = prefix | ~mask((int) (key >>> 32));
            addresses[n++] = prefix;
            addresses[n++] = last;
            addresses[n++] = prefix - 1;
            addresses[n++] = last + 1;
        }
        while (n < LOOKUPS * 7 / 10) {
            long key = keys.get(random.nextInt(keys.size()));
            addresses[n++] = (int) key | (random.nextInt() & ~mask((int) (key >>> 32)));
        }
        while (n < LOOKUPS) {
            addresses[n++] = random.nextInt();
        }
        return addresses;
    }

    private static int[] check(Ip4Fib.Snapshot fib, ReferenceLpm4 reference, int[] addresses) {
        int[] answers = new int[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            int expected = reference.lookup(addresses[i]);
            int actual = fib.lookup(addresses[i]);
            if (expected != actual) {
                fail("lookup " + Prefixes.format4(addresses[i]) + ": expected lb " + expected + ", got " + actual);
            }
            answers[i] = actual;
        }
        return answers;
    }

    /** Lengths weighted like a real table: many /24s and /32s, some of everything. */
    static int realisticLength(Random random) {
        int roll = random.nextInt(100);
        if (roll < 3) {
            return random.nextInt(8);
        }
        if (roll < 15) {
            return 8 + random.nextInt(8);
        }
        if (roll < 35) {
            return 16 + random.nextInt(8);
        }
        if (roll < 60) {
            return 24;
        }
        if (roll < 75) {
            return 25 + random.nextInt(7);
        }
        if (roll < 88) {
            return 32;
        }
        return random.nextInt(33);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static int addr(String dotted) {
        return Prefixes.parse4(dotted).address();
    }
}
