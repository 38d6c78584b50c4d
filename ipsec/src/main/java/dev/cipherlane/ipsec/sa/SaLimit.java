package dev.cipherlane.ipsec.sa;

/** Which limit of {@link SaLimits} an SA crossed; each is reported once per SA. */
public enum SaLimit {
    SOFT_BYTES(false),
    HARD_BYTES(true),
    SOFT_PACKETS(false),
    HARD_PACKETS(true),
    SOFT_LIFETIME(false),
    HARD_LIFETIME(true);

    private final boolean hard;

    SaLimit(boolean hard) {
        this.hard = hard;
    }

    /** Whether crossing it ends the SA (it is unusable from then on). */
    public boolean hard() {
        return hard;
    }

    int bit() {
        return 1 << ordinal();
    }
}
