package dev.cipherlane.ipsec.ike.session;

/** A CHILD SA pair as the session tracks it: the negotiated SA, its lifetimes and its state. */
final class ChildState {
    enum Status {
        ACTIVE,
        /** Our CREATE_CHILD_SA replacing it is outstanding. */
        REKEYING,
        /** Replaced; waiting for the Delete that ends it (section 1.3.3). */
        REKEYED,
        /** Our Delete for it is outstanding. */
        DELETING
    }

    /**
     * The peer's rekey of this SA that we answered while ours was outstanding (section 2.8.1):
     * its nonces decide which of the two new SA pairs survives.
     */
    record Collision(byte[] ni, byte[] nr, ChildState created) {}

    final ChildSa sa;
    long softAt;
    long hardAt;
    Status status = Status.ACTIVE;
    /** Whether the owner was told to install it, so whether it must be told to remove it. */
    boolean installed;
    boolean rekeyQueued;
    Collision collision;

    ChildState(ChildSa sa, long softAt, long hardAt) {
        this.sa = sa;
        this.softAt = softAt;
        this.hardAt = hardAt;
    }

    @Override
    public String toString() {
        return sa + " " + status;
    }
}
