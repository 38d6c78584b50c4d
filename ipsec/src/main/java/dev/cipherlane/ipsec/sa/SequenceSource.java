package dev.cipherlane.ipsec.sa;

/**
 * Where an outbound SA takes its sequence numbers from (RFC 4303 section 3.3.3): a number from 1
 * up, each at most once, or a negative refusal. The ESP IV is the sequence number, so a number
 * handed out twice under one key would repeat a GCM nonce (RFC 4106 section 3.1).
 *
 * <p>{@link OutboundSequence} is the in-memory source, right for negotiated SAs. Statically
 * keyed SAs plug in a source that persists a high-water mark before handing numbers out (the
 * {@code keys} package's {@code SequenceReservation::next} has this shape and these codes).
 *
 * <p>Called from several workers at once.
 */
@FunctionalInterface
public interface SequenceSource {
    /** No number may be handed out until a reservation is on disk: drop, try again later. */
    long PENDING = -1;
    /** The sequence space is used up; the SA must be replaced (RFC 4303 section 3.3.3). */
    long EXHAUSTED = -2;
    /** The source was closed with its SA. */
    long CLOSED = -3;

    /** Last number of a 32-bit sequence space. */
    long LIMIT_32 = 0xFFFF_FFFFL;
    /**
     * Last number used of a 64-bit ESN space: the signed maximum, so numbers stay positive and
     * refusals negative; 2^63 packets is centuries at any rate.
     */
    long LIMIT_ESN = Long.MAX_VALUE;

    /** The next sequence number (&gt;= 1), or {@link #PENDING}, {@link #EXHAUSTED} or {@link #CLOSED}. */
    long next();

    /**
     * {@code n} consecutive numbers at once, for a frame: the first, or a negative refusal, and
     * then none is taken. A refusal may only mean "not {@code n} at once" (near the end of the
     * space, or a source that cannot batch, which is this default for {@code n > 1}); callers
     * then take numbers one by one with {@link #next}, which gives the true answer.
     */
    default long tryAcquire(int n) {
        return n == 1 ? next() : PENDING;
    }

    /** A source from its two operations, for one whose class does not implement this interface. */
    static SequenceSource of(java.util.function.LongSupplier next, java.util.function.IntToLongFunction tryAcquire) {
        return new SequenceSource() {
            @Override
            public long next() {
                return next.getAsLong();
            }

            @Override
            public long tryAcquire(int n) {
                return tryAcquire.applyAsLong(n);
            }
        };
    }
}
