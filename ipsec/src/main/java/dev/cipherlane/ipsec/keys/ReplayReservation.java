package dev.cipherlane.ipsec.keys;

import dev.cipherlane.ipsec.sa.ReplayWindow;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The replay window of one inbound SA under a static key, made to outlive the process: no
 * packet accepted before a restart, even a {@code kill -9}, is accepted after it (RFC 4303
 * section 3.4.3; a captured packet replayed to a window that restarted at 0 would pass).
 *
 * <p>How, the outbound {@link SequenceReservation}'s way turned round: a mark is on disk
 * ({@link ReplayStateFile}) before the window records any number above it. When the top
 * accepted passes half of the block reserved last, the window asks the store's background
 * thread to persist the top plus a block, and carries on; only a number past the mark is
 * refused ({@link ReplayWindow#UNPERSISTED}) until that write lands. With a block of the
 * sequence-reservation size this takes a sustained gap of half a block (half a million
 * packets by default) within one write, which does not happen in practice. After a crash
 * the window resumes at the mark: the numbers in (top really accepted, mark] count as seen,
 * and the peer's packets there are dropped as replays, the safe side (the same trade as the
 * outbound block: the sender skips that many numbers after its own crash). A clean
 * {@link #close} writes back the top itself, so an orderly restart drops nothing new.
 *
 * <p>The window's request is one flag and an unpark: no allocation and no disk on the
 * worker, which never waits for the write.
 */
public final class ReplayReservation implements AutoCloseable {
    private static final VarHandle REQUESTED;

    static {
        try {
            REQUESTED = MethodHandles.lookup().findVarHandle(ReplayReservation.class, "requested", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SequenceStore store;
    private final int spi;
    private final KeyFingerprint key;
    private final long limit;
    private final long block;
    private final ReplayWindow window;
    /** The mark the file had when opened: the window resumed above it, nothing lower is ever written. */
    private final long floor;
    /** What the state file says (guarded by this). */
    private long persisted;
    private boolean closed;
    /** Marks written since opened (guarded by this): one per half block, not one per packet. */
    private long writes;
    @SuppressWarnings("unused") // accessed through REQUESTED
    private volatile int requested;
    private volatile String lastError;
    /** The exact top across process restarts, or null without one. */
    private final ReplayTopCell cell;

    private ReplayReservation(SequenceStore store, int spi, KeyFingerprint key, long limit, long block,
            ReplayWindow window, long floor, long mark, ReplayTopCell cell) {
        this.store = store;
        this.spi = spi;
        this.key = key;
        this.limit = limit;
        this.block = block;
        this.window = window;
        this.floor = floor;
        this.persisted = mark;
        this.cell = cell;
        // The same boot: the cell is exact and the peer's next numbers pass at once; otherwise
        // (a machine restart, or no cell) everything up to the fsync'd mark counts as seen.
        long resume = cell != null && cell.sameBootTop().isPresent() ? cell.sameBootTop().getAsLong() : floor;
        if (resume > 0) {
            window.resumeAfter(resume);
        }
        if (cell != null) {
            window.recordTopIn(cell.top());
        }
        window.persistAhead(mark, refillPoint(mark), this::request);
    }

    /** Opened by {@link SequenceStore#reserveReplay}: {@code mark}, above {@code floor}, is already on disk. */
    static ReplayReservation persisted(SequenceStore store, int spi, KeyFingerprint key, long limit, long block,
            ReplayWindow window, long floor, long mark, ReplayTopCell cell) {
        return new ReplayReservation(store, spi, key, limit, block, window, floor, mark, cell);
    }

    private long refillPoint(long mark) {
        return mark >= limit ? -1L : mark - block / 2;
    }

    /** The window to install with the SA: resumed above the persisted mark, guarded by the next one. */
    public ReplayWindow window() {
        return window;
    }

    /** Called by the window on the worker: raise the flag and wake the store's thread, once. */
    private void request() {
        if ((int) REQUESTED.getOpaque(this) == 0 && REQUESTED.compareAndSet(this, 0, 1)) {
            store.wake();
        }
    }

    boolean refillRequested() {
        return requested != 0;
    }

    /**
     * Persists the next mark, the highest number accepted or asked for plus a block, if the
     * window came within half a block of the current one (the store's thread calls this when
     * asked). Returns whether the mark moved; on failure it stays, the request stays open
     * for a retry, and {@link #lastError} says why.
     */
    public synchronized boolean refill() throws IOException {
        if (closed) {
            return false;
        }
        long top = window.highest();
        long wanted = window.wanted();
        long needed = Math.max(top, wanted);
        if (persisted >= limit || (needed < persisted - block / 2 && wanted <= persisted)) {
            REQUESTED.setVolatile(this, 0);
            return false;
        }
        // Clear first: a request arriving during the write must cause another pass.
        REQUESTED.setVolatile(this, 0);
        long raised = Math.min(limit, needed + block);
        try {
            store.persistReplay(spi, key, raised);
        } catch (IOException | RuntimeException e) {
            REQUESTED.setVolatile(this, 1);
            lastError = e.getMessage();
            throw e;
        }
        lastError = null;
        writes++;
        persisted = raised;
        window.raiseMark(raised, refillPoint(raised));
        return true;
    }

    /**
     * Stops the window recording anything new and writes back its top, so an orderly restart
     * refuses exactly what was accepted. If that write fails the higher mark on disk stays,
     * which is safe.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            long top = Math.max(floor, window.freeze());
            if (top < persisted) {
                try {
                    store.persistReplay(spi, key, top);
                    persisted = top;
                } catch (IOException | RuntimeException e) {
                    lastError = e.getMessage();
                }
            }
        }
        store.forget(this);
        // The window is frozen: nothing stores into the cell any more.
        if (cell != null) {
            cell.close();
        }
    }

    public int spi() {
        return spi;
    }

    public KeyFingerprint key() {
        return key;
    }

    /** The mark on disk: after a crash the window resumes here. */
    public synchronized long persisted() {
        return persisted;
    }

    /** Marks written by {@link #refill} since opened. */
    public synchronized long writes() {
        return writes;
    }

    /** Why the last attempt to persist a mark failed, or null. */
    public String lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        return "replay window of spi " + SaKeys.spiText(spi) + " key " + key + ": " + window;
    }
}
