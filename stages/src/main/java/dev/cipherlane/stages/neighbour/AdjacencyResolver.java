package dev.cipherlane.stages.neighbour;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.wire.Ethernet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps neighbour adjacencies in step with the {@link NeighbourTable}: an INCOMPLETE
 * adjacency becomes REWRITE once its next hop's MAC is known, a REWRITE adjacency follows a
 * MAC change, and goes back to INCOMPLETE when the neighbour entry is gone (so traffic
 * reaches {@code arp-glean} and resolution starts again).
 *
 * <p>Two threads, two halves. The {@link NeighbourTable.Listener} half runs on whichever
 * worker learned the neighbour; the {@link AdjacencyTable} belongs to one control thread
 * and is not thread-safe. So the listener only raises a flag and calls {@code wakeup} (the
 * supervisor schedules {@link #apply()} on the control thread with it), and {@code apply}
 * then reconciles every neighbour adjacency with the table. Reconciling the whole set
 * rather than replaying events keeps the hand-off allocation-free and bounded however many
 * neighbours change at once, and a missed wakeup is repaired by the next one.
 *
 * <p>Consequence: the neighbour table is the source of truth for neighbour MACs. A static
 * neighbour must be a PERMANENT entry ({@link NeighbourTable#addStatic4}); an adjacency
 * completed by other means would be turned back to INCOMPLETE by the next {@code apply}.
 * GLEAN adjacencies stand for a whole subnet and carry no MAC: nothing to update there;
 * {@code arp-glean} looks their hosts up in the neighbour table itself.
 *
 * <p>The next hop of every neighbour adjacency (a tunnel's underlay neighbour) is what the
 * forwarding tables need, so it is pinned ({@link NeighbourTable#pin4}): no flood of learned
 * senders can evict it, and a request for it is always tracked.
 */
public final class AdjacencyResolver implements NeighbourTable.Listener {
    private final AdjacencyTable adjacencies;
    private final NeighbourTable neighbours;
    private final Runnable wakeup;
    private final AtomicBoolean pending = new AtomicBoolean();

    /**
     * Registers itself as a listener of {@code neighbours} and pins the next hops of the
     * neighbour adjacencies there are now ({@link #pinNextHops}).
     *
     * @param wakeup asks the control thread to call {@link #apply()}; runs on workers, so it
     *     must not block
     */
    public AdjacencyResolver(AdjacencyTable adjacencies, NeighbourTable neighbours, Runnable wakeup) {
        if (adjacencies == null || neighbours == null || wakeup == null) {
            throw new IllegalArgumentException("adjacency resolver: adjacencies, neighbours and wakeup are required");
        }
        this.adjacencies = adjacencies;
        this.neighbours = neighbours;
        this.wakeup = wakeup;
        neighbours.addListener(this);
        pinNextHops(System.nanoTime());
    }

    /**
     * Control thread: pins the next hop of every INCOMPLETE or REWRITE adjacency in the
     * neighbour table; call again after adding adjacencies. Throws when the table's pinned
     * reserve is full.
     */
    public void pinNextHops(long now) {
        for (int adj = 0; adj < adjacencies.size(); adj++) {
            if (!isNeighbourAdjacency(adj)) {
                continue;
            }
            int itf = adjacencies.txInterface(adj);
            if (adjacencies.isIp6(adj)) {
                neighbours.pin6(itf, adjacencies.nextHop6Hi(adj), adjacencies.nextHop6Lo(adj), now);
            } else {
                neighbours.pin4(itf, adjacencies.nextHop4(adj), now);
            }
        }
    }

    @Override
    public void resolved(int interfaceIndex, boolean ip6, long hi, long lo, long mac) {
        signal();
    }

    @Override
    public void lost(int interfaceIndex, boolean ip6, long hi, long lo) {
        signal();
    }

    private void signal() {
        // One wakeup per batch of changes: later ones are folded into the pending apply.
        if (pending.compareAndSet(false, true)) {
            wakeup.run();
        }
    }

    /** Whether a change is waiting for {@link #apply()}. */
    public boolean pending() {
        return pending.get();
    }

    /**
     * Control thread: reconciles if a neighbour changed since the last call. Returns whether
     * an adjacency changed, in which case the caller publishes new forwarding tables.
     */
    public boolean apply() {
        if (!pending.getAndSet(false)) {
            return false;
        }
        return reconcile();
    }

    /**
     * Control thread: brings every neighbour adjacency in line with the neighbour table,
     * whether or not a change was signalled (after a restart, or when adjacencies were
     * added). Returns whether any adjacency changed.
     */
    public boolean reconcile() {
        boolean changed = false;
        for (int adj = 0; adj < adjacencies.size(); adj++) {
            if (!isNeighbourAdjacency(adj)) {
                continue;
            }
            AdjacencyKind kind = adjacencies.kind(adj);
            int itf = adjacencies.txInterface(adj);
            long mac = adjacencies.isIp6(adj)
                    ? neighbours.lookup6(itf, adjacencies.nextHop6Hi(adj), adjacencies.nextHop6Lo(adj))
                    : neighbours.lookup4(itf, adjacencies.nextHop4(adj));
            if (mac != NeighbourTable.NONE) {
                if (kind == AdjacencyKind.INCOMPLETE || Ethernet.macOf(adjacencies.rewrite(adj), 0) != mac) {
                    adjacencies.updateRewrite(adj, new MacAddress(mac).octets());
                    changed = true;
                }
            } else if (kind == AdjacencyKind.REWRITE) {
                adjacencies.markIncomplete(adj);
                changed = true;
            }
        }
        return changed;
    }

    /** Whether {@code adj} exists and reaches a neighbour whose MAC the table resolves. */
    private boolean isNeighbourAdjacency(int adj) {
        if (!adjacencies.contains(adj)) {
            return false;
        }
        AdjacencyKind kind = adjacencies.kind(adj);
        return kind == AdjacencyKind.INCOMPLETE || kind == AdjacencyKind.REWRITE;
    }
}
