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

class Ip6FibTest {

    private static final int ROUTES = 2_000;
    private static final int LOOKUPS = 100_000;
    /** Top 16 bits shared by half the routes, so that routes overlap as in a real site. */
    private static final long[] SITES = {0xFD00L, 0x2001L, 0x2A02L, 0xFE80L};

    private LoadBalanceTable loadBalances;
    private int[] lbPool;

    @BeforeEach
    void tables() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        int glean = adjacencies.addGlean6(1);
        loadBalances = new LoadBalanceTable(adjacencies);
        lbPool = new int[300];
        for (int i = 0; i < lbPool.length; i++) {
            lbPool[i] = loadBalances.create(glean);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 1234, 99991})
    void matchesBruteForceOnRandomRoutesAndAfterRemovingHalf(long seed) {
        Random random = new Random(seed);
        Ip6Fib fib = new Ip6Fib(loadBalances);
        Map<Ip6Prefix, Integer> routes = new LinkedHashMap<>();
        List<Ip6Prefix> prefixes = new ArrayList<>();
        while (prefixes.size() < ROUTES) {
            Ip6Prefix prefix;
            if (!prefixes.isEmpty() && random.nextInt(100) < 30) {
                Ip6Prefix parent = prefixes.get(random.nextInt(prefixes.size()));
                if (parent.length() == 128) {
                    continue;
                }
                int length = parent.length() + 1 + random.nextInt(128 - parent.length());
                prefix = masked(parent.hi() | random.nextLong(), parent.lo() | random.nextLong(), length, parent);
            } else {
                long hi = random.nextLong();
                if (random.nextBoolean()) {
                    hi = (SITES[random.nextInt(SITES.length)] << 48) | (hi >>> 16);
                }
                prefix = masked(hi, random.nextLong(), realisticLength(random), null);
            }
            int lb = lbPool[random.nextInt(lbPool.length)];
            if (routes.put(prefix, lb) == null) {
                prefixes.add(prefix);
            }
            fib.add(prefix.hi(), prefix.lo(), prefix.length(), lb);
        }
        long[] addresses = lookupAddresses(random, prefixes);

        long started = System.nanoTime();
        Ip6Fib.Snapshot full = fib.snapshot();
        System.out.printf("ip6 seed %d: %d routes in %d lengths compiled in %d us%n",
                seed, full.routeCount(), full.lengthCount(), (System.nanoTime() - started) / 1000);
        assertEquals(routes.size(), full.routeCount());
        int[] fullAnswers = check(full, new ReferenceLpm6(routes, LoadBalanceTable.DROP), addresses);

        Collections.shuffle(prefixes, random);
        for (Ip6Prefix prefix : prefixes.subList(0, prefixes.size() / 2)) {
            assertTrue(fib.remove(prefix.hi(), prefix.lo(), prefix.length()));
            routes.remove(prefix);
        }
        check(fib.snapshot(), new ReferenceLpm6(routes, LoadBalanceTable.DROP), addresses);

        for (int i = 0; i < fullAnswers.length; i++) {
            if (full.lookup(addresses[2 * i], addresses[2 * i + 1]) != fullAnswers[i]) {
                fail("old snapshot changed at " + Prefixes.format6(addresses[2 * i], addresses[2 * i + 1]));
            }
        }
    }

    @Test
    void emptyTableAnswersTheDefault() {
        assertEquals(LoadBalanceTable.DROP, new Ip6Fib(loadBalances).lookup(1, 1));
        assertEquals(LoadBalanceTable.PUNT, new Ip6Fib(loadBalances, LoadBalanceTable.PUNT).lookup(-1, -1));
    }

    @Test
    void defaultRouteCoversEveryAddress() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        fib.add(0, 0, 0, lbPool[0]);
        assertEquals(lbPool[0], fib.lookup(0, 0));
        assertEquals(lbPool[0], fib.lookup(-1, -1));
        assertEquals(lbPool[0], fib.lookup(0x2001_0DB8_0000_0000L, 1));
        assertTrue(fib.remove(0, 0, 0));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(0, 0));
    }

    @Test
    void hostRoutesMatchOnlyTheirAddress() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        Ip6Prefix host = Prefixes.parse6("fd00::1");
        fib.add(host.hi(), host.lo(), 128, lbPool[1]);
        fib.add(-1, -1, 128, lbPool[2]);
        assertEquals(lbPool[1], fib.lookup(host.hi(), host.lo()));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(host.hi(), 0));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(host.hi(), 2));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(host.hi() + 1, 1));
        assertEquals(lbPool[2], fib.lookup(-1, -1));
        assertEquals(LoadBalanceTable.DROP, fib.lookup(-1, -2));
    }

    @Test
    void nestedPrefixesLongestWinsAndRemovalRestoresTheCoveringRoute() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        add(fib, "fd00::/8", lbPool[8]);
        add(fib, "fd00:1::/32", lbPool[32]);
        add(fib, "fd00:1:2::/48", lbPool[48]);
        add(fib, "fd00:1:2:3::/64", lbPool[64]);
        add(fib, "fd00:1:2:3:8000::/65", lbPool[65]);
        add(fib, "fd00:1:2:3:8000::7/128", lbPool[128]);

        assertEquals(lbPool[8], lookup(fib, "fdff::1"));
        assertEquals(lbPool[32], lookup(fib, "fd00:1:ffff::"));
        assertEquals(lbPool[48], lookup(fib, "fd00:1:2:ffff:ffff:ffff:ffff:ffff"));
        assertEquals(lbPool[64], lookup(fib, "fd00:1:2:3:7fff:ffff:ffff:ffff"));
        assertEquals(lbPool[65], lookup(fib, "fd00:1:2:3:8000::"));
        assertEquals(lbPool[128], lookup(fib, "fd00:1:2:3:8000::7"));
        assertEquals(lbPool[65], lookup(fib, "fd00:1:2:3:8000::8"));
        assertEquals(LoadBalanceTable.DROP, lookup(fib, "fe00::"));

        remove(fib, "fd00:1:2:3:8000::/65");
        assertEquals(lbPool[64], lookup(fib, "fd00:1:2:3:8000::8"));
        assertEquals(lbPool[128], lookup(fib, "fd00:1:2:3:8000::7"));
        remove(fib, "fd00:1:2:3::/64");
        remove(fib, "fd00:1:2::/48");
        assertEquals(lbPool[32], lookup(fib, "fd00:1:2:3:8000::8"));
        remove(fib, "fd00:1::/32");
        assertEquals(lbPool[8], lookup(fib, "fd00:1:2:3:8000::8"));
        assertFalse(fib.remove(Prefixes.parse6("fd00:1::/32").hi(), 0, 32), "already gone");
    }

    @Test
    void addingAnExistingPrefixReplacesItsLoadBalancer() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        add(fib, "2001:db8::/32", lbPool[0]);
        add(fib, "2001:db8::/32", lbPool[1]);
        assertEquals(1, fib.size());
        assertEquals(lbPool[1], lookup(fib, "2001:db8::42"));
        assertEquals(0, loadBalances.lockCount(lbPool[0]));
        assertEquals(1, loadBalances.lockCount(lbPool[1]));
    }

    @Test
    void hostBitsAreIgnoredAndRoutesLockTheirLoadBalancer() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        Ip6Prefix withHostBits = Prefixes.parse6("2001:db8::1");
        fib.add(withHostBits.hi(), withHostBits.lo(), 64, lbPool[3]);
        assertEquals(lbPool[3], fib.get(withHostBits.hi(), 0, 64));
        assertThrows(IllegalStateException.class, () -> loadBalances.remove(lbPool[3]));
        assertTrue(fib.remove(withHostBits.hi(), 99, 64));
        loadBalances.remove(lbPool[3]);
        assertThrows(IllegalArgumentException.class, () -> fib.add(0, 0, 129, lbPool[4]));
    }

    @Test
    void snapshotIsCachedUntilAChange() {
        Ip6Fib fib = new Ip6Fib(loadBalances);
        add(fib, "fd00::/8", lbPool[0]);
        Ip6Fib.Snapshot first = fib.snapshot();
        assertSame(first, fib.snapshot());
        add(fib, "fd00::/16", lbPool[1]);
        assertNotSame(first, fib.snapshot());
        assertEquals(lbPool[0], first.lookup(Prefixes.parse6("fd00::1").hi(), 1));
        assertEquals(2, fib.snapshot().lengthCount());
    }

    private long[] lookupAddresses(Random random, List<Ip6Prefix> prefixes) {
        long[] addresses = new long[2 * LOOKUPS];
        int n = 0;
        for (Ip6Prefix p : prefixes) {
            long lastHi = p.lastHi();
            long lastLo = p.lastLo();
            addresses[n++] = p.hi();
            addresses[n++] = p.lo();
            addresses[n++] = p.lo() == 0 ? p.hi() - 1 : p.hi();
            addresses[n++] = p.lo() - 1;
            addresses[n++] = lastHi;
            addresses[n++] = lastLo;
            addresses[n++] = lastLo == -1 ? lastHi + 1 : lastHi;
            addresses[n++] = lastLo + 1;
        }
        while (n < 2 * LOOKUPS * 7 / 10) {
            Ip6Prefix p = prefixes.get(random.nextInt(prefixes.size()));
            addresses[n++] = p.hi() | (random.nextLong() & ~Prefixes.mask6Hi(p.length()));
            addresses[n++] = p.lo() | (random.nextLong() & ~Prefixes.mask6Lo(p.length()));
        }
        while (n < 2 * LOOKUPS) {
            long hi = random.nextLong();
            addresses[n++] = random.nextBoolean() ? hi : (SITES[random.nextInt(SITES.length)] << 48) | (hi >>> 16);
            addresses[n++] = random.nextLong();
        }
        return addresses;
    }

    private static int[] check(Ip6Fib.Snapshot fib, ReferenceLpm6 reference, long[] addresses) {
        int[] answers = new int[addresses.length / 2];
        for (int i = 0; i < answers.length; i++) {
            long hi = addresses[2 * i];
            long lo = addresses[2 * i + 1];
            int expected = reference.lookup(hi, lo);
            int actual = fib.lookup(hi, lo);
            if (expected != actual) {
                fail("lookup " + Prefixes.format6(hi, lo) + ": expected lb " + expected + ", got " + actual);
            }
            answers[i] = actual;
        }
        return answers;
    }

    /** Lengths weighted like a real table: /48, /56, /64 and /128 dominate. */
    private static int realisticLength(Random random) {
        int roll = random.nextInt(100);
        if (roll < 5) {
            return random.nextInt(16);
        }
        if (roll < 20) {
            return 48;
        }
        if (roll < 35) {
            return 56;
        }
        if (roll < 55) {
            return 64;
        }
        if (roll < 65) {
            return 96 + random.nextInt(32);
        }
        if (roll < 85) {
            return 128;
        }
        return random.nextInt(129);
    }

    /** {@code hi:lo} cut to {@code length}, keeping the parent's bits when nesting. */
    private static Ip6Prefix masked(long hi, long lo, int length, Ip6Prefix parent) {
        if (parent != null) {
            hi = parent.hi() | (hi & ~Prefixes.mask6Hi(parent.length()));
            lo = parent.lo() | (lo & ~Prefixes.mask6Lo(parent.length()));
        }
        return new Ip6Prefix(hi & Prefixes.mask6Hi(length), lo & Prefixes.mask6Lo(length), length);
    }

    private static void add(Ip6Fib fib, String prefix, int lb) {
        Ip6Prefix p = Prefixes.parse6(prefix);
        fib.add(p.hi(), p.lo(), p.length(), lb);
    }

    private static void remove(Ip6Fib fib, String prefix) {
        Ip6Prefix p = Prefixes.parse6(prefix);
        assertTrue(fib.remove(p.hi(), p.lo(), p.length()));
    }

    private static int lookup(Ip6Fib fib, String address) {
        Ip6Prefix p = Prefixes.parse6(address);
        return fib.lookup(p.hi(), p.lo());
    }
}
