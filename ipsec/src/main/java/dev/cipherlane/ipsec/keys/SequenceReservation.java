package dev.cipherlane.ipsec.keys;

import com.lmax.disruptor.Sequence;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbound ESP sequence counter of one SA, which never hands out a number twice under a
 * key, not even across a {@code kill -9} (RFC 4303 section 3.3.3; with AES-GCM the number is
 * the IV, RFC 4106 section 3.1, and a repeated IV under one key gives the key away).
 *
 * <p>How: a high-water mark is on disk ({@link SequenceStateFile}) before any number up to
 * it is handed out. The data path takes numbers with one atomic add and compares them with
 * the mark in memory; when half of the block reserved last is used, it asks the store's
 * background thread to persist the next block (write, fsync, rename, fsync the directory)
 * and carries on. Only if it reaches the mark before that write landed does it refuse:
 * {@link #PENDING}, which the caller drops and counts as {@value #PENDING_ERROR}. After a
 * crash the store starts at the persisted mark + 1: numbers below it may have been used.
 * A clean {@link #close} writes back the highest number actually handed out, so an orderly
 * restart skips nothing.
 *
 * <p>Without extended sequence numbers the space ends at 2^32 - 1 and the SA must be
 * replaced before (RFC 4303 section 3.3.3: the counter must not cycle); with ESN the 64-bit
 * counter is capped at 2^63 - 1, centuries at any packet rate. Past the end
 * {@link #EXHAUSTED} is returned, counted as {@value #EXHAUSTED_ERROR}.
 *
 * <p>Negotiated SAs (IKEv2) do not outlive the process, so they need no disk: an
 * {@link #unpersisted} reservation is the same counter with the whole space reserved.
 */
public final class SequenceReservation implements AutoCloseable {
    /** No reserved number is left: the next block is still being written. Drop and count. */
    public static final long PENDING = -1;
    /** The sequence space of the SA is used up: it needs new keys. Drop and count. */
    public static final long EXHAUSTED = -2;
    /** The SA's reservation was closed. Drop and count. */
    public static final long CLOSED = -3;

    public static final String PENDING_ERROR = "sequence reservation pending";
    public static final String EXHAUSTED_ERROR = "sequence number exhausted";
    public static final String CLOSED_ERROR = "sequence reservation closed";

    /** Last number of a 32-bit sequence space (RFC 4303 section 2.2). */
    public static final long LIMIT_32 = 0xFFFF_FFFFL;
    /** Last number we use of a 64-bit ESN space: the signed maximum, so comparisons stay plain. */
    public static final long LIMIT_ESN = Long.MAX_VALUE;

    private static final VarHandle REQUESTED;

    static {
        try {
            REQUESTED = MethodHandles.lookup().findVarHandle(SequenceReservation.class, "requested", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SequenceStore store;
    private final int spi;
    private final KeyFingerprint key;
    private final long limit;
    private final long block;
    /** The next number to hand out; Disruptor's Sequence is padded against false sharing. */
    private final Sequence next;
    /** Highest number that may be handed out now; 0 once closed. Raised only after it is on disk. */
    private volatile long mark;
    /** Once a number at or past this is handed out, the next block is requested. */
    private volatile long refillAt;
    @SuppressWarnings("unused") // accessed through REQUESTED
    private volatile int requested;
    /** What the state file says (guarded by this). */
    private long persisted;
    /** What the file said when it was opened: nothing below may ever be written back. */
    private final long floor;
    private boolean closed;
    private final AtomicLong refusedPending = new AtomicLong();
    private volatile String lastError;

    private SequenceReservation(SequenceStore store, int spi, KeyFingerprint key, long limit, long block,
                                long floor, long mark) {
        this.store = store;
        this.spi = spi;
        this.key = key;
        this.limit = limit;
        this.block = block;
        this.floor = floor;
        this.next = new Sequence(floor + 1);
        this.persisted = mark;
        this.mark = mark;
        this.refillAt = refillPoint(mark, block, limit);
    }

    /** A counter for an SA whose key dies with the process: numbers 1 up to the limit, no disk. */
    public static SequenceReservation unpersisted(int spi, boolean esn) {
        long limit = esn ? LIMIT_ESN : LIMIT_32;
        return new SequenceReservation(null, spi, null, limit, limit, 0, limit);
    }

    /** Opened by {@link SequenceStore#reserve}: {@code floor} from the file, first block already on disk. */
    static SequenceReservation persisted(SequenceStore store, int spi, KeyFingerprint key, long limit, long block,
                                         long floor, long mark) {
        return new SequenceReservation(store, spi, key, limit, block, floor, mark);
    }

    private static long refillPoint(long mark, long block, long limit) {
        return mark >= limit ? Long.MAX_VALUE : mark - block / 2;
    }

    /** One sequence number, or {@link #PENDING}, {@link #EXHAUSTED} or {@link #CLOSED}. */
    public long next() {
        return tryAcquire(1);
    }

    /**
     * {@code n} consecutive numbers, returning the first, or a negative refusal (then none is
     * taken). Safe on any number of threads; the usual cost is one atomic add and two
     * volatile reads, and it allocates nothing. A frame takes its numbers at once. At the
     * very end of the space a request that no longer fits is {@link #EXHAUSTED} even if a
     * few numbers are left; {@link #next} takes those one by one.
     */
    public long tryAcquire(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("acquire at least one number, got " + n);
        }
        // Checked before the add so a refusal does not use up numbers; only threads racing
        // past the mark together burn some, and a gap is harmless to the receiver.
        if (next.get() + (n - 1) > mark) {
            return refuse(n);
        }
        long first = next.getAndAdd(n);
        long last = first + (n - 1);
        // Read after the add, so close() can tell which numbers went out (see there).
        if (last > mark) {
            return refuse(n);
        }
        if (last >= refillAt && (int) REQUESTED.getOpaque(this) == 0) {
            request();
        }
        return first;
    }

    private long refuse(int n) {
        long m = mark;
        if (m == 0) {
            // An open reservation's mark is never 0: opening persists a first block at once.
            return CLOSED;
        }
        if (m >= limit || next.get() + (n - 1) > limit) {
            return EXHAUSTED;
        }
        request();
        refusedPending.incrementAndGet();
        return PENDING;
    }

    private void request() {
        if (REQUESTED.compareAndSet(this, 0, 1) && store != null) {
            store.wake();
        }
    }

    boolean refillRequested() {
        return requested != 0;
    }

    /**
     * Persists the next block if at least half of the current one is used (the store's
     * thread calls this when asked; a control loop without that thread may call it
     * itself). Returns whether the mark moved. On failure the mark stays, the request stays
     * open for a retry, and {@link #lastError} says why.
     */
    public synchronized boolean refill() throws IOException {
        if (closed || store == null) {
            return false;
        }
        long used = Math.min(next.get() - 1, persisted);
        if (persisted >= limit || used < refillAt) {
            REQUESTED.setVolatile(this, 0);
            return false;
        }
        long raised = persisted + Math.min(block, limit - persisted);
        try {
            store.persist(spi, key, raised);
        } catch (IOException | RuntimeException e) {
            lastError = e.getMessage();
            throw e;
        }
        lastError = null;
        persisted = raised;
        refillAt = refillPoint(raised, block, limit);
        mark = raised;
        REQUESTED.setVolatile(this, 0);
        return true;
    }

    /**
     * Stops handing out numbers and, for a persisted SA, writes back the highest number
     * handed out, so a clean restart continues right after it. If that write fails the
     * higher mark already on disk stays, which is safe.
     *
     * <p>Why the number read here covers every number handed out: the store to
     * {@code mark} happens before the read of {@code next}; an acquire whose add comes after
     * that read therefore reads the zeroed mark after its add, and refuses.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            mark = 0;
            refillAt = Long.MAX_VALUE;
            if (store != null) {
                long used = Math.max(floor, Math.min(next.get() - 1, persisted));
                if (used < persisted) {
                    try {
                        store.persist(spi, key, used);
                        persisted = used;
                    } catch (IOException | RuntimeException e) {
                        lastError = e.getMessage();
                    }
                }
            }
        }
        if (store != null) {
            store.forget(this);
        }
    }

    public int spi() {
        return spi;
    }

    /** Fingerprint of the key the numbers belong to; null for an unpersisted reservation. */
    public KeyFingerprint key() {
        return key;
    }

    /** Last number of the SA's sequence space. */
    public long limit() {
        return limit;
    }

    /** The next number {@link #next} would hand out (a snapshot). */
    public long peekNext() {
        return next.get();
    }

    /** The highest number that may be handed out right now, 0 once closed. */
    public long mark() {
        return mark;
    }

    /** Numbers left in the SA's space: the SA needs new keys before this reaches 0. */
    public long remaining() {
        return Math.max(0, limit - (next.get() - 1));
    }

    /** Acquires refused because the next block was not on disk yet. */
    public long refusedPending() {
        return refusedPending.get();
    }

    /** Why the last attempt to persist the next block failed, or null. */
    public String lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        return "sequence of spi " + SaKeys.spiText(spi) + (key == null ? "" : " key " + key)
                + ": next " + next.get() + ", reserved through " + mark + " of " + limit;
    }
}
