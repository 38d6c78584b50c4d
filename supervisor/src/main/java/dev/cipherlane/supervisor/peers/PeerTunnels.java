package dev.cipherlane.supervisor.peers;

import dev.cipherlane.config.PeerSettings;
import java.io.IOException;
import java.util.List;

/** The tunnels of a running dataplane, as the {@link PeerManager} sees and changes them. */
public interface PeerTunnels {
    /** Where received IKE goes, when IKEv2 negotiates the keys; empty with static keys. */
    default java.util.Optional<IkeDispatch> ikeDispatch() {
        return java.util.Optional.empty();
    }

    /** Every protected tunnel's control, one actor each. */
    List<TunnelControl> tunnelControls();

    /**
     * Changes one peer from {@code before} to {@code after} (null for a peer added or removed),
     * all or nothing: on failure nothing changed and the exception says why.
     */
    TunnelChange changePeer(PeerSettings before, PeerSettings after) throws IOException, InterruptedException;
}
