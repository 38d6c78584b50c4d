package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.config.ConfigChange;
import dev.cipherlane.config.NodeSettings;
import java.util.List;
import java.util.Set;

/**
 * How a running node makes each change a reload brings, the least disruptive way it can:
 *
 * <ul>
 *   <li>{@link How#IN_PLACE}: the running dataplane changes a parameter (the trace's bound,
 *       the workers' spin before sleeping, the neighbour reachable time); nothing pauses;
 *   <li>{@link How#POD}: a pod added, removed or changed: its tap is attached or detached
 *       on the running dataplane ({@link InterfaceManager}), and no other flow pauses;
 *   <li>{@link How#PEER}: a peer added, removed or changed (its tunnel count, its pod CIDRs, its
 *       addresses): its tunnels and routes are made or unmade on the running dataplane
 *       ({@link dev.cipherlane.supervisor.peers.PeerManager}), new tunnels protected before
 *       flows reach them; flows of that peer may move between its tunnels (a peer whose
 *       addresses changed is replaced, its flows pause), other peers' flows are untouched;
 *   <li>{@link How#REBUILD}: the pod network, IPsec, buffers,
 *       rings, neighbour table sizes and tunnel addresses: the dataplane is rebuilt in the
 *       running service, keeping the uplink taken over, the pods' persistent taps and the SA
 *       state files, so flows pause for the rebuild (about as long as a restart's) and carry on;
 *   <li>{@link How#RESTART}: the node's name and state directory, the admin socket, the worker
 *       count (one uplink ring each) and the uplink itself need the service restarted.
 * </ul>
 *
 * A reload is one batch: if any change needs a restart, none is made.
 */
public final class LiveSettings {
    private static final String ROOT = NodeSettings.ROOT + ".";

    /** How a change is made on a running node. */
    public enum How { IN_PLACE, POD, PEER, REBUILD, RESTART }

    /** Where the config's pods are, by name: {@code cipherlane.pods[<name>]...}. */
    static final String PODS = ROOT + "pods[";
    /** Where the peers are, by name: {@code cipherlane.peers[<name>]...}. */
    static final String PEERS = ROOT + "peers[";

    static final Set<String> IN_PLACE = Set.of(
            ROOT + "dataplane.trace.max-packets",
            ROOT + "dataplane.idle.spin-polls",
            ROOT + "neighbour.reachable-time");

    /** Prefixes of what only a restart changes; everything else is rebuilt. */
    private static final List<String> RESTART = List.of(
            ROOT + "node.",
            ROOT + "admin.",
            ROOT + "dataplane.workers",
            ROOT + "uplink.interface",
            ROOT + "uplink.host-tap",
            ROOT + "uplink.mtu",
            ROOT + "uplink.offloads",
            ROOT + "uplink.driver",
            ROOT + "uplink.avf.");

    private LiveSettings() {}

    public static How how(ConfigChange change) {
        String path = change.path();
        if (IN_PLACE.contains(path)) {
            return How.IN_PLACE;
        }
        if (path.startsWith(PODS)) {
            return How.POD;
        }
        if (path.startsWith(PEERS)) {
            return How.PEER;
        }
        for (String prefix : RESTART) {
            if (path.startsWith(prefix)) {
                return How.RESTART;
            }
        }
        return How.REBUILD;
    }

    /** The changes among {@code changes} that a running node cannot make. */
    public static List<ConfigChange> needingRestart(List<ConfigChange> changes) {
        return changes.stream().filter(c -> how(c) == How.RESTART).toList();
    }

    /** The name of the pod a {@link How#POD} change is about. */
    public static String podOf(ConfigChange change) {
        return keyOf(change, PODS, "a pod");
    }

    /** The name of the peer a {@link How#PEER} change is about. */
    public static String peerOf(ConfigChange change) {
        return keyOf(change, PEERS, "a peer");
    }

    /** The key between {@code list}'s "[" and the next "]" in the change's path. */
    private static String keyOf(ConfigChange change, String list, String what) {
        String path = change.path();
        int end = path.indexOf(']', list.length());
        if (!path.startsWith(list) || end < 0) {
            throw new IllegalArgumentException(path + " is not about " + what);
        }
        return path.substring(list.length(), end);
    }

    /** The changes among {@code changes} made the way {@code how} says. */
    public static List<ConfigChange> made(List<ConfigChange> changes, How how) {
        return changes.stream().filter(c -> how(c) == how).toList();
    }

    /** Whether any of {@code changes} needs the dataplane rebuilt. */
    public static boolean needsRebuild(List<ConfigChange> changes) {
        return changes.stream().anyMatch(c -> how(c) == How.REBUILD);
    }
}
