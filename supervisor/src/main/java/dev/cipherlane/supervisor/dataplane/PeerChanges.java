package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.supervisor.peers.TunnelChange;
import dev.cipherlane.supervisor.peers.TunnelControl;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * Peers and their tunnels changed on a running dataplane, make-before-break, for the
 * {@link dev.cipherlane.supervisor.peers.PeerManager}:
 *
 * <ul>
 *   <li>made: tunnels are made and protected before any route or load balancer leads into them,
 *       all or nothing (a tunnel whose keys cannot be used undoes the change and throws);
 *   <li>unmade: no route leads into them first, then, once no worker can still be sending into
 *       them, their SAs go (sequence and replay state written back), then, once no worker
 *       holds their packets, the tunnels themselves.
 * </ul>
 *
 * A peer's other flows may move between its tunnels as its load balancer is respread; other
 * peers are untouched. One caller at a time (the dataplane's lock).
 */
final class PeerChanges {
    /** Waits until every worker has finished the round it is in. */
    @FunctionalInterface
    interface Workers {
        void await() throws InterruptedException;
    }

    private final NodeForwarding forwarding;
    /** Null with IPsec off: tunnels are then made and unmade without SAs. */
    private final TunnelSecurity security;
    private final Workers workers;
    private final Function<List<NodeForwarding.TunnelInfo>, List<TunnelControl>> controls;

    PeerChanges(NodeForwarding forwarding, TunnelSecurity security, Workers workers,
            Function<List<NodeForwarding.TunnelInfo>, List<TunnelControl>> controls) {
        this.forwarding = forwarding;
        this.security = security;
        this.workers = workers;
        this.controls = controls;
    }

    /**
     * One peer from {@code before} to {@code after} (either null: added or removed). A new tunnel
     * count is {@link #changeTunnels}; new pod CIDRs are rerouted in place; new addresses replace
     * the peer (and if the new one cannot be made, the old one is made again).
     */
    TunnelChange changePeer(PeerSettings before, PeerSettings after) throws IOException, InterruptedException {
        if (before == null && after == null) {
            throw new IllegalArgumentException("a peer change needs a peer");
        }
        if (before != null && after != null) {
            if (before.addresses().equals(after.addresses())) {
                TunnelChange tunnels = changeTunnels(after);
                if (!before.podCidrs().equals(after.podCidrs())) {
                    forwarding.rerouteCidrs(after);
                }
                return tunnels;
            }
            TunnelChange removed = changePeer(before, null);
            try {
                return new TunnelChange(changePeer(null, after).added(), removed.removed());
            } catch (IOException | RuntimeException e) {
                try {
                    changePeer(null, before);
                } catch (IOException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
        }
        if (after != null) {
            List<NodeForwarding.TunnelInfo> made = forwarding.addPeer(after);
            protectAll(made, () -> forwarding.dropPeer(after.name()));
            forwarding.routePeerLive(after);
            return new TunnelChange(controls.apply(made), List.of());
        }
        List<NodeForwarding.TunnelInfo> gone = forwarding.unroutePeer(before.name());
        unprotectAll(gone);
        forwarding.dropPeer(before.name());
        return new TunnelChange(List.of(), gone.stream().map(Dataplane::tunnelName).toList());
    }

    /** Gives {@code peer} its {@code tunnels()} tunnels: the new ones made, or the last ones unmade. */
    TunnelChange changeTunnels(PeerSettings peer) throws IOException, InterruptedException {
        int before = (int) forwarding.tunnelInfo().stream().filter(t -> t.peer().equals(peer.name())).count();
        if (peer.tunnels() > before) {
            List<NodeForwarding.TunnelInfo> added = forwarding.addTunnels(peer);
            protectAll(added, () -> forwarding.dropTunnels(peer.name(), before));
            forwarding.balance(peer.name(), peer.tunnels());
            return new TunnelChange(controls.apply(added), List.of());
        }
        if (peer.tunnels() < before) {
            List<NodeForwarding.TunnelInfo> removed = forwarding.balance(peer.name(), peer.tunnels());
            unprotectAll(removed);
            forwarding.dropTunnels(peer.name(), peer.tunnels());
            return new TunnelChange(List.of(), removed.stream().map(Dataplane::tunnelName).toList());
        }
        return new TunnelChange(List.of(), List.of());
    }

    /** Protects every tunnel of {@code made}; if one cannot be, unprotects them all, runs {@code unmake} and throws. */
    private void protectAll(List<NodeForwarding.TunnelInfo> made, Runnable unmake) throws IOException {
        if (security == null) {
            return;
        }
        try {
            for (NodeForwarding.TunnelInfo t : made) {
                security.protectTunnel(forwarding, t);
            }
        } catch (IOException | RuntimeException e) {
            for (NodeForwarding.TunnelInfo t : made) {
                try {
                    security.unprotectTunnel(forwarding, t);
                } catch (IOException | RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            }
            unmake.run();
            throw e;
        }
    }

    /** Takes the SAs of tunnels no route leads into any more, between two waits for the workers. */
    private void unprotectAll(List<NodeForwarding.TunnelInfo> gone) throws IOException, InterruptedException {
        workers.await();
        if (security != null) {
            for (NodeForwarding.TunnelInfo t : gone) {
                security.unprotectTunnel(forwarding, t);
            }
        }
        workers.await();
    }
}
