package dev.cipherlane.ipsec.ike.session;

/**
 * The one request of an IKE SA awaiting its response (window size 1, RFC 7296 section 2.3)
 * and its retransmission timer (section 2.1): the same bytes are sent again after a timeout
 * that doubles from a base up to a cap, and after a number of transmissions the peer is given
 * up on. Only the initiator of an exchange retransmits; a responder answers what it receives.
 */
final class Retransmission {
    final Request request;
    final byte[] message;
    final long messageId;
    private final long capNanos;
    private final int tries;
    private int transmissions = 1;
    private long timeoutNanos;
    private long deadline;

    Retransmission(Request request, byte[] message, long messageId, long now, long baseNanos, long capNanos,
            int tries) {
        this.request = request;
        this.message = message;
        this.messageId = messageId;
        this.capNanos = capNanos;
        this.tries = tries;
        this.timeoutNanos = baseNanos;
        this.deadline = now + baseNanos;
    }

    boolean due(long now) {
        return now - deadline >= 0;
    }

    /** Whether every allowed transmission has been made and timed out. */
    boolean exhausted() {
        return transmissions >= tries;
    }

    /** Counts one more transmission and arms the doubled timeout. */
    void resent(long now) {
        transmissions++;
        timeoutNanos = Math.min(timeoutNanos * 2, capNanos);
        deadline = now + timeoutNanos;
    }

    int transmissions() {
        return transmissions;
    }
}
