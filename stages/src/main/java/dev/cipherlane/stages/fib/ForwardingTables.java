package dev.cipherlane.stages.fib;

import java.util.Objects;

/**
 * The unit workers see: one consistent capture of both FIBs, the load balancers and the
 * adjacencies, published through a single volatile field and loaded once per frame.
 *
 * <p>The four are captured together because their indices refer to each other: a FIB snapshot
 * may name a load balancer created in the same batch, and a load balancer may name an
 * adjacency whose index was freed and reused. Read from separately published snapshots, a
 * worker could index past an array or send a flow to the wrong neighbour.
 */
public record ForwardingTables(
        Ip4Fib.Snapshot ip4,
        Ip6Fib.Snapshot ip6,
        LoadBalanceTable.Snapshot loadBalances,
        AdjacencyTable.Snapshot adjacencies) {

    public ForwardingTables {
        Objects.requireNonNull(ip4, "ip4");
        Objects.requireNonNull(ip6, "ip6");
        Objects.requireNonNull(loadBalances, "loadBalances");
        Objects.requireNonNull(adjacencies, "adjacencies");
    }

    /**
     * Captures the control tables after a batch of changes. The FIBs must be built on
     * {@code loadBalances}, and {@code loadBalances} on {@code adjacencies}; anything else is a
     * wiring bug, refused here rather than found by a worker.
     */
    public static ForwardingTables capture(Ip4Fib ip4, Ip6Fib ip6, LoadBalanceTable loadBalances,
                                           AdjacencyTable adjacencies) {
        if (ip4.loadBalances() != loadBalances || ip6.loadBalances() != loadBalances) {
            throw new IllegalArgumentException("FIBs are built on a different load balancer table");
        }
        if (loadBalances.adjacencies() != adjacencies) {
            throw new IllegalArgumentException("load balancers are built on a different adjacency table");
        }
        return new ForwardingTables(ip4.snapshot(), ip6.snapshot(), loadBalances.snapshot(), adjacencies.snapshot());
    }
}
