package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.keys.KeyExchange;

/** What a request of ours was for, so its response (or its giving up) can be acted on. */
sealed interface Request {
    /** IKE_SA_INIT (section 1.2); the session holds its nonce and key pair. */
    record SaInit() implements Request {}

    /** IKE_AUTH with the first CHILD SA (section 1.2). */
    record Auth(int childSpi) implements Request {}

    /** An empty INFORMATIONAL: is the peer alive? (section 1.4) */
    record Liveness() implements Request {}

    record DeleteIke(String reason) implements Request {}

    record DeleteChild(ChildState child) implements Request {}

    /** CREATE_CHILD_SA replacing {@code old} (section 1.3.3); {@code ke} is null without PFS. */
    record RekeyChild(ChildState old, int newSpi, byte[] ni, KeyExchange ke) implements Request {}

    /** CREATE_CHILD_SA replacing the IKE SA (section 1.3.2). */
    record RekeyIke(long newSpi, byte[] ni, KeyExchange ke) implements Request {}
}
