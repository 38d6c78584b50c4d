package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ForwardingTablesTest {

    private static final byte[] OUR_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] PEER_MAC = {2, 0, 0, 0, 0, 2};

    @Test
    void captureFollowsARouteToItsRewrite() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
        Ip4Fib ip4 = new Ip4Fib(loadBalances);
        Ip6Fib ip6 = new Ip6Fib(loadBalances);
        int adj = adjacencies.addRewrite4(7, Prefixes.parse4("192.168.0.1").address(), OUR_MAC, PEER_MAC);
        int lb = loadBalances.create(adj);
        Ip4Prefix pods = Prefixes.parse4("10.244.1.0/26");
        ip4.add(pods.address(), pods.length(), lb);

        ForwardingTables tables = ForwardingTables.capture(ip4, ip6, loadBalances, adjacencies);
        int chosen = tables.loadBalances().pick(tables.ip4().lookup(pods.address() + 5), 99);
        assertEquals(adj, chosen);
        assertEquals(AdjacencyKind.REWRITE, tables.adjacencies().kind(chosen));
        assertEquals(7, tables.adjacencies().txInterface(chosen));
        assertEquals(LoadBalanceTable.DROP, tables.ip6().lookup(0, 1));
        assertSame(tables.ip4(), ForwardingTables.capture(ip4, ip6, loadBalances, adjacencies).ip4(),
                "an unchanged FIB is not recompiled");
    }

    @Test
    void captureRefusesTablesThatDoNotBelongTogether() {
        AdjacencyTable adjacencies = new AdjacencyTable();
        LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
        LoadBalanceTable stranger = new LoadBalanceTable(new AdjacencyTable());
        Ip4Fib ip4 = new Ip4Fib(loadBalances);
        Ip6Fib ip6 = new Ip6Fib(stranger);
        assertThrows(IllegalArgumentException.class, () -> ForwardingTables.capture(ip4, ip6, loadBalances, adjacencies));
        assertThrows(IllegalArgumentException.class,
                () -> ForwardingTables.capture(ip4, new Ip6Fib(loadBalances), loadBalances, new AdjacencyTable()));
    }
}
