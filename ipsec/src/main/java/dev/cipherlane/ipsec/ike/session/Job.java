package dev.cipherlane.ipsec.ike.session;

/**
 * An exchange we want to start. With a window of one (RFC 7296 section 2.3) only one request
 * is outstanding, so the others wait in order; each is built only when its turn comes, with
 * fresh nonces, and skipped if it no longer makes sense.
 */
sealed interface Job {
    record Liveness() implements Job {}

    /** @param reason why the session closes once the Delete is done, if it is the current SA */
    record DeleteIke(String reason) implements Job {}

    record RekeyIke() implements Job {}

    record RekeyChild(ChildState child) implements Job {}

    record DeleteChild(ChildState child) implements Job {}
}
