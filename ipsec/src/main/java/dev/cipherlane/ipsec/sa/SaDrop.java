package dev.cipherlane.ipsec.sa;

/** Why a packet of an SA was dropped, counted per SA for {@code show sa}. */
public enum SaDrop {
    SEQUENCE_EXHAUSTED("sequence number exhausted"),
    SEQUENCE_PENDING("sequence reservation pending"),
    SEQUENCE_CLOSED("sequence reservation closed"),
    HARD_LIMIT("sa hard limit reached"),
    REPLAY("replay"),
    TOO_OLD("older than the replay window"),
    INTEGRITY("integrity check failed"),
    BAD_PADDING("bad padding"),
    BAD_NEXT_HEADER("bad next header"),
    CRYPTO_ERROR("crypto engine refused"),
    /** Authentic, but past the replay mark on disk: recording it could be forgotten by a crash. */
    REPLAY_UNPERSISTED("replay mark not yet persisted");

    private final String reason;

    SaDrop(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
