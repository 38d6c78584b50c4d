package dev.cipherlane.supervisor.admin.views;

import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip6Prefix;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * {@code show fib}: the routes workers forward by, IPv4 then IPv6, each with its load balancer
 * and the paths (adjacencies) it spreads flows over, as VPP's {@code show ip fib} lists a
 * prefix's load-balance buckets. Read from the published {@link ForwardingTables}, the same
 * capture workers use, so the view is one consistent state.
 */
public record FibView(List<RouteRow> routes) implements OperatorView {

    /** A path that encapsulates into a tunnel (a midchain adjacency). */
    public static final String TUNNEL = "tunnel";

    /** @param loadBalance the load balancer index routes share when they go the same way */
    public record RouteRow(String prefix, int loadBalance, List<PathRow> paths) {}

    /**
     * @param kind          local, glean, incomplete, rewrite, drop, punt or {@link #TUNNEL}
     * @param nextHop       the neighbour or own address, null where there is none (glean, tunnel)
     * @param interfaceName the interface it leaves by, null for tunnels and drops
     * @param tunnel        the tunnel index for {@link #TUNNEL} paths, else null
     */
    public record PathRow(int adjacency, String kind, String nextHop, String interfaceName, Integer tunnel) {}

    public static FibView of(ForwardingTables tables, IntFunction<String> names) {
        List<RouteRow> routes = new ArrayList<>();
        for (int i = 0; i < tables.ip4().routeCount(); i++) {
            routes.add(route(tables, Prefixes.format4(tables.ip4().prefix(i)) + "/" + tables.ip4().length(i),
                    tables.ip4().loadBalance(i), names));
        }
        for (int i = 0; i < tables.ip6().routeCount(); i++) {
            Ip6Prefix p = tables.ip6().prefix(i);
            routes.add(route(tables, Prefixes.format6(p.hi(), p.lo()) + "/" + p.length(), tables.ip6().loadBalance(i),
                    names));
        }
        return new FibView(List.copyOf(routes));
    }

    private static RouteRow route(ForwardingTables tables, String prefix, int lb, IntFunction<String> names) {
        LoadBalanceTable.Snapshot lbs = tables.loadBalances();
        AdjacencyTable.Snapshot adj = tables.adjacencies();
        List<PathRow> paths = new ArrayList<>();
        for (int p = 0; p < lbs.pathCount(lb); p++) {
            int a = lbs.path(lb, p);
            int tunnel = adj.tunnel(a);
            if (tunnel != AdjacencyTable.NO_TUNNEL) {
                paths.add(new PathRow(a, TUNNEL, null, null, tunnel));
                continue;
            }
            AdjacencyKind kind = adj.kind(a);
            String nextHop = switch (kind) {
                case LOCAL, INCOMPLETE, REWRITE -> adj.isIp6(a) ? Prefixes.format6(adj.nextHop6Hi(a), adj.nextHop6Lo(a))
                        : Prefixes.format4(adj.nextHop4(a));
                default -> null;
            };
            int itf = adj.txInterface(a);
            paths.add(new PathRow(a, kind.name().toLowerCase(java.util.Locale.ROOT), nextHop,
                    itf < 0 ? null : names.apply(itf), null));
        }
        return new RouteRow(prefix, lb, List.copyOf(paths));
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(String.format("%-44s %5s  %s%n", "Prefix", "LB", "Paths"));
        for (RouteRow r : routes) {
            List<String> paths = new ArrayList<>();
            for (PathRow p : r.paths()) {
                paths.add(path(p));
            }
            sb.append(String.format("%-44s %5d  %s%n", r.prefix(), r.loadBalance(), String.join(", ", paths)));
        }
        return sb.toString();
    }

    /** "rewrite 10.0.0.10 on pod-a", "glean on eth0", "tunnel 3": kind, then what it has. */
    private static String path(PathRow p) {
        StringBuilder sb = new StringBuilder(p.kind());
        if (p.tunnel() != null) {
            sb.append(' ').append(p.tunnel());
        }
        if (p.nextHop() != null) {
            sb.append(' ').append(p.nextHop());
        }
        if (p.interfaceName() != null) {
            sb.append(" on ").append(p.interfaceName());
        }
        return sb.toString();
    }
}
