package dev.cipherlane.ipsec.ike.session;

/**
 * The events an IKE session counts for {@code show ike}, one list so that a name never drifts
 * from its meaning. Each dropped or refused datagram lands in exactly one of the drop reasons.
 */
public enum IkeCounter {
    REQUESTS_SENT("requests sent, first transmissions"),
    RETRANSMISSIONS("requests sent again after a timeout (section 2.1)"),
    MALFORMED("datagrams that did not decode (section 3), dropped"),
    UNSUPPORTED_VERSION("messages of a major version above 2, dropped"),
    UNSUPPORTED_CRITICAL("messages with an unknown critical payload (section 2.5)"),
    UNKNOWN_SPI("messages for no IKE SA of this session, dropped"),
    INTEGRITY_FAILURES("SK payloads that failed their integrity check (section 2.21.2), dropped"),
    INVALID_SYNTAX("authenticated messages with bad inner payloads (section 2.21.1)"),
    AUTH_FAILURES("failed AUTH checks, ours or the peer's (section 2.15)"),
    REPLAYS("requests older than the last answered and responses to nothing outstanding, dropped"),
    DUPLICATE_REQUESTS("retransmitted requests answered from the response cache (section 2.1)"),
    FUTURE_MESSAGE_ID("requests beyond the window of one, dropped (section 2.3)"),
    UNEXPECTED("messages out of place in the current state, dropped"),
    COOKIES_SENT("IKE_SA_INIT requests answered with a COOKIE (section 2.6)"),
    COOKIE_RETRIES("IKE_SA_INIT requests repeated with the responder's COOKIE"),
    INVALID_KE_SENT("IKE_SA_INIT requests answered with INVALID_KE_PAYLOAD (section 1.2)"),
    INVALID_KE_RETRIES("IKE_SA_INIT requests repeated in the group the responder asked for"),
    NO_PROPOSAL_CHOSEN("proposals we could not accept, or the peer could not"),
    CHILD_REKEYS("CHILD SAs rekeyed (section 1.3.3)"),
    IKE_REKEYS("IKE SAs rekeyed (section 1.3.2)"),
    REKEY_COLLISIONS("simultaneous rekeys resolved by nonce (section 2.8.1)"),
    INIT_COLLISIONS("IKE_SA_INIT started by both ends at once, ours given up by nonce"),
    REKEY_FAILURES("rekeys refused by the peer"),
    LIVENESS_CHECKS("empty INFORMATIONAL requests sent (section 1.4)"),
    INTERNAL_ERRORS("datagrams dropped because handling them failed: a bug, never the peer's doing");

    private final String description;

    IkeCounter(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
