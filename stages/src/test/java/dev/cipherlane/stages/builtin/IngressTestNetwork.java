package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import java.util.function.Supplier;

/**
 * A node as the ingress checks see it: two pods, the uplink, the host tap and two peers.
 *
 * <pre>
 * if0 pod0    pod 10.1.0.7 / fd01::7        if3 pod1   pod 10.1.0.8 (IPv4 only)
 * if1 uplink  node 10.0.0.1/24, fd00::1/64   if2 host tap
 * tunnel 0, 1 -> peer 0: pods 10.2.0.0/16, fd02::/64 (ECMP over both)
 * tunnel 2    -> peer 1: pods 10.3.0.0/16
 * ff02::1:ff00:0/104 -> local (solicited-node groups)
 * </pre>
 */
final class IngressTestNetwork {
    static final int POD0 = 0;
    static final int UPLINK = 1;
    static final int HOST = 2;
    static final int POD1 = 3;
    static final int POD0_IP4 = addr(10, 1, 0, 7);
    static final int POD1_IP4 = addr(10, 1, 0, 8);
    static final byte[] POD0_IP6 = Ip6TestPackets.addr("fd01::7");
    static final int NODE_IP4 = addr(10, 0, 0, 1);
    static final int UNDERLAY_NEIGHBOUR = addr(10, 0, 0, 2);
    static final int PEER0_POD = addr(10, 2, 0, 5);
    static final int PEER1_POD = addr(10, 3, 0, 5);
    static final byte[] PEER0_POD6 = Ip6TestPackets.addr("fd02::5");

    private static final byte[] MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] POD_MAC = {2, 0, 0, 0, 0, 2};

    final AdjacencyTable adjacencies = new AdjacencyTable();
    final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
    final Ip4Fib fib4 = new Ip4Fib(loadBalances);
    final Ip6Fib fib6 = new Ip6Fib(loadBalances);
    final ForwardingTables tables;
    final IngressFilter filter;

    /** Which implementation of ip4-lookup the network's lookups are (both forward alike). */
    private java.util.function.Function<IpLookup.Params, IpLookup> lookup4 = Ip4Lookup::new;

    /** This network with {@code ip4-lookup} {@value Ip4CachedLookup#IMPLEMENTATION}. */
    IngressTestNetwork withCachedLookup() {
        lookup4 = Ip4CachedLookup::new;
        return this;
    }

    IngressTestNetwork() {
        fib4.add(POD0_IP4, 32, loadBalances.create(adjacencies.addRewrite4(POD0, POD0_IP4, MAC, POD_MAC)));
        fib4.add(POD1_IP4, 32, loadBalances.create(adjacencies.addRewrite4(POD1, POD1_IP4, MAC, POD_MAC)));
        route6(POD0_IP6, 128, loadBalances.create(adjacencies.addRewrite6(POD0, Ip6TestPackets.hi(POD0_IP6),
                Ip6TestPackets.lo(POD0_IP6), MAC, POD_MAC)));
        fib4.add(addr(10, 0, 0, 0), 24, loadBalances.create(adjacencies.addGlean4(UPLINK)));
        fib4.add(NODE_IP4, 32, loadBalances.create(adjacencies.addLocal4(UPLINK, NODE_IP4)));
        byte[] node6 = Ip6TestPackets.addr("fd00::1");
        route6(Ip6TestPackets.addr("fd00::"), 64, loadBalances.create(adjacencies.addGlean6(UPLINK)));
        route6(node6, 128, loadBalances.create(adjacencies.addLocal6(UPLINK, Ip6TestPackets.hi(node6),
                Ip6TestPackets.lo(node6))));
        byte[] solicited = Ip6TestPackets.addr("ff02::1:ff00:0");
        route6(solicited, 104, loadBalances.create(adjacencies.addLocal6(POD0, Ip6TestPackets.hi(solicited),
                Ip6TestPackets.lo(solicited))));
        int peer0 = loadBalances.create(adjacencies.addTunnel(0), adjacencies.addTunnel(1));
        fib4.add(addr(10, 2, 0, 0), 16, peer0);
        route6(Ip6TestPackets.addr("fd02::"), 64, peer0);
        fib4.add(addr(10, 3, 0, 0), 16, loadBalances.create(adjacencies.addTunnel(2)));
        tables = ForwardingTables.capture(fib4, fib6, loadBalances, adjacencies);
        filter = IngressFilter.builder()
                .pod4(POD0, POD0_IP4).pod6(POD0, Ip6TestPackets.hi(POD0_IP6), Ip6TestPackets.lo(POD0_IP6))
                .pod4(POD1, POD1_IP4)
                .uplink(UPLINK).host(HOST)
                .tunnel(0, 0).tunnel(1, 0).tunnel(2, 1)
                .build();
    }

    private void route6(byte[] prefix, int length, int lb) {
        fib6.add(Ip6TestPackets.hi(prefix), Ip6TestPackets.lo(prefix), length, lb);
    }

    IpLookup ip4Lookup() {
        return lookup4.apply(new Ip4Lookup.Params(tables(), ingress()));
    }

    Ip6Lookup ip6Lookup() {
        return new Ip6Lookup(new Ip6Lookup.Params(tables(), ingress()));
    }

    private Supplier<ForwardingTables> tables() {
        return () -> tables;
    }

    private Supplier<IngressFilter> ingress() {
        return () -> filter;
    }
}
