package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import java.util.List;
import java.util.Set;

/**
 * Which settings a running node changes in place on a reload, and which only take effect on
 * a restart of the service. A reload is one batch: if any change needs a restart, none is
 * applied and the operator is told which ones, so the running config is always the file as
 * loaded at some point, never half of two files.
 *
 * <p>In place today: the packet trace's bound, the workers' spin before sleeping and the
 * neighbour reachable time. Pods, peers, tunnels, the uplink, buffers, workers and IPsec
 * need the dataplane rebuilt; the service's restart keeps the pods' taps and the SA state
 * (DESIGN.md, "Control plane"), so it costs the pods a short pause, not their connections.
 */
public final class LiveSettings {
    private static final String ROOT = NodeSettings.ROOT + ".";

    /** The paths (as {@link ConfigChange#path} names them) a running node changes in place. */
    static final Set<String> IN_PLACE = Set.of(
            ROOT + "dataplane.trace.max-packets",
            ROOT + "dataplane.idle.spin-polls",
            ROOT + "neighbour.reachable-time");

    private LiveSettings() {}

    /** The changes among {@code changes} that a running node cannot make in place. */
    public static List<ConfigChange> needingRestart(List<ConfigChange> changes) {
        return changes.stream().filter(c -> !IN_PLACE.contains(c.path())).toList();
    }
}
