package dev.cipherlane.supervisor.peers;

import dev.cipherlane.ipsec.ike.session.IkeConfig;

/**
 * A tunnel's IKE as its actor needs it: the session settings (the tunnel's two addresses, the
 * PSK, proposals and timers), whether this end initiates (the larger address), and the port
 * that sends IKE messages through the tunnel's underlay and installs and removes the CHILD SAs
 * it negotiates.
 */
public interface TunnelIke {
    IkeConfig config();

    boolean initiator();

    IkeTunnel.Port port();

    /** The tunnel's outer addresses, ours and the peer's, as received IKE is dispatched by them. */
    int local();

    int remote();

    /** The node's cookie jar for responder sessions (RFC 7296 section 2.6), shared by every tunnel. */
    dev.cipherlane.ipsec.ike.session.CookieJar cookies();

    /** The node's count of half-open IKE SAs, which the jar's threshold reads. */
    java.util.concurrent.atomic.AtomicInteger halfOpen();

    /** Where the tunnel's actor posts its IKE's status for {@code show ike}, after each input. */
    void report(IkeTunnel.Status status);
}
