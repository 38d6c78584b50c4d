package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.addr;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The small network the forwarding tests route through.
 *
 * <pre>
 * if0 pod0    10.0.0.1/24   fd00::1/64 fe80::1/64   MTU 1500  (packets arrive here)
 * if1 uplink  10.1.0.1/24   fd00:1::1/64            MTU 1500  neighbour A 10.1.0.2 / fd00:1::2
 * if2 narrow  10.2.0.1/24   fd00:2::1/64            MTU 1400  neighbour B 10.2.0.2 / fd00:2::2
 * if3 bare    no addresses                          MTU 1500
 *
 * 192.168.1.0/24 -> A        2001:db8:1::/48 -> A
 * 192.168.0.0/16 -> B        2001:db8::/32   -> B
 * 172.16.0.0/12  -> A or B   2001:db8:e::/48 -> A or B (ECMP)
 * 10.0.0.1/32    -> local    fd00::1/128     -> local
 * 10.1.0.0/24    -> glean    fd00:1::/64     -> glean
 * 10.9.0.0/16    -> incomplete neighbour 10.1.0.3
 * 224.0.0.0/4    -> punt     ff00::/8        -> punt
 * anything else  -> drop
 * </pre>
 */
final class IpTestNetwork {
    static final byte[] MAC_IF1 = {2, 0, 0, 0, 0, 0x11};
    static final byte[] MAC_IF2 = {2, 0, 0, 0, 0, 0x12};
    static final byte[] MAC_A = {2, (byte) 0xAA, 0, 0, 0, 1};
    static final byte[] MAC_B = {2, (byte) 0xBB, 0, 0, 0, 2};

    final InterfaceTable interfaces = new InterfaceTable();
    final AdjacencyTable adjacencies = new AdjacencyTable();
    final LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
    final Ip4Fib fib4 = new Ip4Fib(loadBalances);
    final Ip6Fib fib6 = new Ip6Fib(loadBalances);
    private final AtomicReference<ForwardingTables> published = new AtomicReference<>();

    final int adjA;
    final int adjB;
    final int adjLocal;
    final int adjGlean;
    final int adjIncomplete;
    final int adjA6;
    final int adjB6;
    final int adjLocal6;
    final int adjGlean6;
    final int lbEcmp;
    final int lbEcmp6;

    /** Which implementation of ip4-lookup the network's lookups are (both forward alike). */
    private java.util.function.Function<IpLookup.Params, IpLookup> lookup4 = Ip4Lookup::new;

    /** This network with {@code ip4-lookup} {@value Ip4CachedLookup#IMPLEMENTATION}. */
    IpTestNetwork withCachedLookup() {
        lookup4 = Ip4CachedLookup::new;
        return this;
    }

    IpTestNetwork() {
        interfaces.put(new NetInterface(0, "pod0", 0x02_00_00_00_00_10L, 1500,
                List.of(new NetInterface.Ip4Address(addr(10, 0, 0, 1), 24)),
                List.of(ip6("fe80::1", 64), ip6("fd00::1", 64))));
        interfaces.put(new NetInterface(1, "uplink", 0x02_00_00_00_00_11L, 1500,
                List.of(new NetInterface.Ip4Address(addr(10, 1, 0, 1), 24)), List.of(ip6("fd00:1::1", 64))));
        interfaces.put(new NetInterface(2, "narrow", 0x02_00_00_00_00_12L, 1400,
                List.of(new NetInterface.Ip4Address(addr(10, 2, 0, 1), 24)), List.of(ip6("fd00:2::1", 64))));
        interfaces.put(new NetInterface(3, "bare", 0x02_00_00_00_00_13L, 1500, List.of(), List.of()));

        adjA = adjacencies.addRewrite4(1, addr(10, 1, 0, 2), MAC_IF1, MAC_A);
        adjB = adjacencies.addRewrite4(2, addr(10, 2, 0, 2), MAC_IF2, MAC_B);
        adjLocal = adjacencies.addLocal4(0, addr(10, 0, 0, 1));
        adjGlean = adjacencies.addGlean4(1);
        adjIncomplete = adjacencies.addNeighbor4(1, addr(10, 1, 0, 3), MAC_IF1);
        byte[] a6 = Ip6TestPackets.addr("fd00:1::2");
        byte[] b6 = Ip6TestPackets.addr("fd00:2::2");
        byte[] local6 = Ip6TestPackets.addr("fd00::1");
        adjA6 = adjacencies.addRewrite6(1, Ip6TestPackets.hi(a6), Ip6TestPackets.lo(a6), MAC_IF1, MAC_A);
        adjB6 = adjacencies.addRewrite6(2, Ip6TestPackets.hi(b6), Ip6TestPackets.lo(b6), MAC_IF2, MAC_B);
        adjLocal6 = adjacencies.addLocal6(0, Ip6TestPackets.hi(local6), Ip6TestPackets.lo(local6));
        adjGlean6 = adjacencies.addGlean6(1);

        fib4.add(addr(192, 168, 1, 0), 24, loadBalances.create(adjA));
        fib4.add(addr(192, 168, 0, 0), 16, loadBalances.create(adjB));
        lbEcmp = loadBalances.create(adjA, adjB);
        fib4.add(addr(172, 16, 0, 0), 12, lbEcmp);
        fib4.add(addr(10, 0, 0, 1), 32, loadBalances.create(adjLocal));
        fib4.add(addr(10, 1, 0, 0), 24, loadBalances.create(adjGlean));
        fib4.add(addr(10, 9, 0, 0), 16, loadBalances.create(adjIncomplete));
        fib4.add(addr(224, 0, 0, 0), 4, LoadBalanceTable.PUNT);

        route6("2001:db8:1::", 48, loadBalances.create(adjA6));
        route6("2001:db8::", 32, loadBalances.create(adjB6));
        lbEcmp6 = loadBalances.create(adjA6, adjB6);
        route6("2001:db8:e::", 48, lbEcmp6);
        route6("fd00::1", 128, loadBalances.create(adjLocal6));
        route6("fd00:1::", 64, loadBalances.create(adjGlean6));
        route6("ff00::", 8, LoadBalanceTable.PUNT);
        publish();
    }

    void publish() {
        published.set(ForwardingTables.capture(fib4, fib6, loadBalances, adjacencies));
    }

    /** What the stages read: one volatile load per frame. */
    Supplier<ForwardingTables> tables() {
        return published::get;
    }

    ForwardingTables current() {
        return published.get();
    }

    private void route6(String prefix, int length, int lb) {
        byte[] a = Ip6TestPackets.addr(prefix);
        fib6.add(Ip6TestPackets.hi(a), Ip6TestPackets.lo(a), length, lb);
    }

    private static NetInterface.Ip6Address ip6(String text, int length) {
        byte[] a = Ip6TestPackets.addr(text);
        return new NetInterface.Ip6Address(Ip6TestPackets.hi(a), Ip6TestPackets.lo(a), length);
    }

    IpLookup ip4Lookup() {
        return lookup4.apply(new Ip4Lookup.Params(tables()));
    }

    Ip4Rewrite ip4Rewrite() {
        return new Ip4Rewrite(new Ip4Rewrite.Params(tables(), interfaces));
    }

    Ip6Lookup ip6Lookup() {
        return new Ip6Lookup(new Ip6Lookup.Params(tables()));
    }

    Ip6Rewrite ip6Rewrite() {
        return new Ip6Rewrite(new Ip6Rewrite.Params(tables(), interfaces));
    }
}
