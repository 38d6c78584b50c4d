package dev.cipherlane.supervisor.peers;

import java.util.List;

/**
 * What a peer's tunnel count changed on the running dataplane: the controls of the tunnels
 * made, for their new actors, and the names of the tunnels taken away, whose actors stop.
 */
public record TunnelChange(List<TunnelControl> added, List<String> removed) {
    public TunnelChange {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }
}
