package dev.cipherlane.supervisor.peers;

import java.util.Optional;

/**
 * What a {@link Tunnel} actor does for its tunnel: watching its SAs' limits (RFC 4301 section
 * 4.4.2.1) and, when IKEv2 negotiates the keys, running the tunnel's IKE. Implementations
 * touch only their own tunnel's state, so tunnels run side by side.
 */
public interface TunnelControl {
    /** The tunnel as logs and {@code show tunnels} name it: peer and ordinal. */
    String name();

    /**
     * Once a period: checks the tunnel's SAs' lifetimes and limits and reports what they
     * crossed; true when a soft limit was newly crossed, so the SA should be replaced.
     */
    boolean checkLimits();

    /** The tunnel's IKE, when IKEv2 negotiates its keys; empty with static keys. */
    default Optional<TunnelIke> ike() {
        return Optional.empty();
    }
}
