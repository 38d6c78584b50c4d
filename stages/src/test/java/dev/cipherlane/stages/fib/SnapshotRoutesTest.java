package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code show fib} reads: a snapshot lists exactly the routes it was compiled from. */
class SnapshotRoutesTest {
    private final AdjacencyTable adjacencies = new AdjacencyTable();
    private final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);

    private static int ip(String text) {
        return (int) dev.cipherlane.net.IpAddress.parse(text).low();
    }

    @Test
    void ip4SnapshotListsItsRoutesShortestFirstWithHostBitsCleared() {
        int a = loadBalances.create(adjacencies.addGlean4(1));
        int b = loadBalances.create(adjacencies.addGlean4(2));
        Ip4Fib fib = new Ip4Fib(loadBalances);
        fib.add(ip("10.1.2.3"), 32, a);
        fib.add(ip("10.1.2.99"), 24, b);
        fib.add(ip("10.9.0.0"), 16, a);
        fib.remove(ip("10.9.0.0"), 16);
        Ip4Fib.Snapshot s = fib.snapshot();
        List<String> routes = new ArrayList<>();
        for (int i = 0; i < s.routeCount(); i++) {
            routes.add(Prefixes.format4(s.prefix(i)) + "/" + s.length(i) + " lb " + s.loadBalance(i));
        }
        assertEquals(List.of("10.1.2.0/24 lb " + b, "10.1.2.3/32 lb " + a), routes);
    }

    @Test
    void ip6SnapshotListsItsRoutesLongestFirst() {
        int a = loadBalances.create(adjacencies.addGlean6(1));
        Ip6Fib fib = new Ip6Fib(loadBalances);
        fib.add(0xFD00_0000_0000_0000L, 0, 8, a);
        fib.add(0xFD01_0000_0000_0000L, 0x10, 128, a);
        Ip6Fib.Snapshot s = fib.snapshot();
        assertEquals(2, s.routeCount());
        assertEquals(new Ip6Prefix(0xFD01_0000_0000_0000L, 0x10, 128), s.prefix(0));
        assertEquals(new Ip6Prefix(0xFD00_0000_0000_0000L, 0, 8), s.prefix(1));
        assertEquals(a, s.loadBalance(1));
    }
}
