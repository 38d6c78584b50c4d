package dev.cipherlane.ipsec.ike.message;

import java.util.function.Supplier;

/**
 * Thrown inside the decoder when the bytes break a rule of RFC 7296, and caught at its edge
 * ({@link IkeMessage#decode}, {@link PayloadChain#decode}), which turn it into a result. It
 * never leaves the package. Without a stack trace: a malformed datagram from the network is
 * an expected event, not a bug, and costs no more than the reason string.
 */
final class Malformation extends RuntimeException {
    Malformation(String reason) {
        super(reason, null, false, false);
    }

    /**
     * Builds a record from decoded fields. The records refuse what the RFC forbids with an
     * {@link IllegalArgumentException}; from the wire that is a malformation in {@code where},
     * so each rule is written once, in the record.
     */
    static <T> T build(String where, Supplier<T> record) {
        try {
            return record.get();
        } catch (IllegalArgumentException e) {
            throw new Malformation(where + ": " + e.getMessage());
        }
    }
}
