package dev.cipherlane.supervisor.peers;

import dev.cipherlane.config.PeerSettings;
import java.io.IOException;
import java.util.List;

/** The tunnels of a running dataplane, as the {@link PeerManager} sees and changes them. */
public interface PeerTunnels {
    /** Every protected tunnel's control, one actor each. */
    List<TunnelControl> tunnelControls();

    /**
     * Gives {@code peer} its {@code tunnels()} tunnels, all or nothing: on failure nothing
     * changed and the exception says why.
     */
    TunnelChange changeTunnels(PeerSettings peer) throws IOException, InterruptedException;
}
