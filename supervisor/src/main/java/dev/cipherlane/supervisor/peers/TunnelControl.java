package dev.cipherlane.supervisor.peers;

/**
 * What a {@link Tunnel} actor does for its tunnel: today, with static keys, watching its SAs'
 * limits (RFC 4301 section 4.4.2.1); the IKEv2 session that negotiates and rekeys them comes
 * here too. Implementations touch only their own tunnel's state, so tunnels run side by side.
 */
public interface TunnelControl {
    /** The tunnel as logs and {@code show tunnels} name it: peer and ordinal. */
    String name();

    /** Once a period: checks the tunnel's SAs' lifetimes and limits and reports what they crossed. */
    void checkLimits();
}
