package dev.cipherlane.ipsec.sa;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The in-memory outbound sequence counter of one SA: 64 bits, first number 1 (RFC 4303 section
 * 3.3.3: the counter is 0 when the SA is made and incremented before each packet). Without ESN
 * it stops at 2^32 - 1 and then refuses with {@link #EXHAUSTED} forever, never cycling: RFC 4303
 * section 3.3.3 requires a new SA instead, and with GCM a cycled counter would reuse nonces.
 *
 * <p>A compare-and-set loop rather than an atomic add, so the counter never moves past the
 * limit however many workers keep asking. The counter sits alone on its cache lines (padding
 * on both sides of a {@code long[]} slot): every packet of the SA writes it.
 */
public final class OutboundSequence implements SequenceSource {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    /** 8 longs = 64 bytes of padding on each side of the counter. */
    private static final int NEXT = 8;

    private final long limit;
    private final long[] cells = new long[2 * NEXT + 1];

    public OutboundSequence(boolean esn) {
        this(esn, 1);
    }

    /**
     * A counter whose first number is {@code first}: for an SA that must carry on after numbers
     * already used under its key (and for tests of the end of the space).
     */
    public OutboundSequence(boolean esn, long first) {
        this.limit = esn ? LIMIT_ESN : LIMIT_32;
        if (first < 1) {
            throw new IllegalArgumentException("sequence numbers start at 1 (RFC 4303 section 3.3.3), got " + first);
        }
        cells[NEXT] = first;
    }

    @Override
    public long next() {
        return tryAcquire(1);
    }

    /**
     * {@code n} numbers with one compare-and-set: all of them below the limit or none (then
     * {@link #EXHAUSTED}; {@link #next} still hands out the last few one by one).
     */
    @Override
    public long tryAcquire(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("acquire at least one number, got " + n);
        }
        long s;
        do {
            s = (long) CELLS.getVolatile(cells, NEXT);
            // Past the limit; or, with ESN, past Long.MAX_VALUE, where the increment went negative.
            if (s < 1 || s > limit - (n - 1)) {
                return EXHAUSTED;
            }
        } while (!CELLS.compareAndSet(cells, NEXT, s, s + n));
        return s;
    }

    /** The number the next packet would get (for {@code show sa}); past the limit when exhausted. */
    public long peek() {
        return (long) CELLS.getVolatile(cells, NEXT);
    }

    public long limit() {
        return limit;
    }
}
