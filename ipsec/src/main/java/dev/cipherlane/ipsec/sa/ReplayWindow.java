package dev.cipherlane.ipsec.sa;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Anti-replay window of one inbound SA (RFC 4303 section 3.4.3), kept as a bitmap the RFC 6479
 * way: a ring of 64-bit blocks, one bit per sequence number, where moving the window forward
 * clears whole blocks instead of shifting bits. With a window of W packets the ring has 2W/64
 * blocks, so the W numbers below the highest one received never share a block with numbers
 * being cleared (RFC 6479 section 2: one block more than the window needs, rounded up to a
 * power of two).
 *
 * <p>Use, per packet: {@link #sequence} turns the low 32 bits on the wire into the full number
 * (with ESN, RFC 4303 appendix A2.2), {@link #check} rejects duplicates and numbers below the
 * window before any decryption, and only after the ICV has been verified {@link #accept} checks
 * again and records the number, moving the window if it is ahead. A forged packet therefore
 * never moves the window (RFC 4303 section 3.4.3: "the receive window is updated only if the
 * integrity verification succeeds").
 *
 * <p>Threads: workers sharing one SA call these concurrently. Each method holds the window's
 * monitor for a few dozen instructions, uncontended in the usual case of one worker per SA.
 * {@link #accept} repeats the check under the same lock as the update, so two workers that
 * both passed {@link #check} with the same number cannot both accept it.
 *
 * <p>A window of 0 turns anti-replay off: every number passes, but the highest one is still
 * tracked because ESN needs it to infer the high-order bits.
 *
 * <p>Across restarts (RFC 4303 section 3.4.3 assumes the receiver's window outlives the
 * sender's counter; with static keys it must outlive the process): a window may be
 * {@link #persistAhead guarded} by a mark that is on disk before {@link #accept} records any
 * number above it. The owner of the mark is asked to raise it ({@link #raiseMark}) when the
 * top comes within its refill point, and meanwhile a number past the mark is refused
 * ({@link #UNPERSISTED}), so a crash at any moment restarts at a mark that covers everything
 * accepted. Asking allocates nothing and never waits for the disk.
 */
public final class ReplayWindow {
    public static final int OK = 0;
    /** Seen before, inside the window. */
    public static final int REPLAY = 1;
    /** Below the window (or 0, which is never sent): cannot be told from a replay. */
    public static final int TOO_OLD = 2;
    /** Authentic but past the persisted mark: refused until the mark on disk is raised. */
    public static final int UNPERSISTED = 3;

    /** Window RFC 4303 appendix A2.2 infers ESN high bits with when anti-replay is off. */
    static final int ESN_INFERENCE_WINDOW = 64;

    private final int size;
    private final boolean esn;
    private final int inference;
    private final long[] blocks;
    private final int blockMask;
    /** Highest sequence number accepted (unsigned 64-bit), 0 before the first one. */
    private long top;
    /** Highest number {@link #accept} may record (unsigned); all ones when unguarded. */
    private long mark = -1L;
    /** Once the top reaches this (unsigned), the mark's owner is asked for the next one. */
    private long refillAt = -1L;
    /** Highest authentic number refused past the mark, 0 if none since the last raise. */
    private long wanted;
    private Runnable markWanted;
    /** Where each new top is also stored (a shared page that outlives the process), or null. */
    private MemorySegment topCell;

    public ReplayWindow(int size, boolean esn) {
        if (size != 0 && (size < 64 || Integer.bitCount(size) != 1)) {
            throw new IllegalArgumentException("replay window must be 0 or a power of two >= 64, got " + size);
        }
        this.size = size;
        this.esn = esn;
        this.inference = size == 0 ? ESN_INFERENCE_WINDOW : size;
        this.blocks = new long[size == 0 ? 1 : size / 32];
        this.blockMask = blocks.length - 1;
    }

    public int size() {
        return size;
    }

    /**
     * The full sequence number of a packet whose header carries {@code low}. Without ESN that is
     * {@code low} itself. With ESN the high 32 bits are inferred from the window as RFC 4303
     * appendix A2.2 says, with T the highest number accepted, Tl/Th its halves, W the window and
     * Bl = Tl - W + 1 (mod 2^32):
     * <ul>
     * <li>Case A, the window inside one 2^32 subspace (Tl &gt;= W - 1): high = Th if low &gt;= Bl,
     * else Th + 1 (the packet is ahead, in the next subspace);
     * <li>Case B, the window spanning two (Tl &lt; W - 1): high = Th - 1 if low &gt;= Bl (the packet
     * is behind, in the previous subspace), else Th.
     * </ul>
     * Returns 0, which {@link #check} rejects, when the inferred number would fall below 0 or
     * above 2^64 - 1.
     */
    public synchronized long sequence(int low) {
        long lowBits = Integer.toUnsignedLong(low);
        if (!esn) {
            return lowBits;
        }
        int topLow = (int) top;
        long topHigh = top >>> 32;
        int bottom = topLow - inference + 1;
        long high;
        if (Integer.compareUnsigned(topLow, inference - 1) >= 0) {
            high = Integer.compareUnsigned(low, bottom) >= 0 ? topHigh : topHigh + 1;
        } else if (Integer.compareUnsigned(low, bottom) >= 0) {
            if (topHigh == 0) {
                return 0;
            }
            high = topHigh - 1;
        } else {
            high = topHigh;
        }
        if (high > 0xFFFF_FFFFL) {
            return 0;
        }
        return high << 32 | lowBits;
    }

    /** Whether a packet with full number {@code seq} may be decrypted: {@link #OK}, {@link #REPLAY} or {@link #TOO_OLD}. */
    public synchronized int check(long seq) {
        return verdict(seq);
    }

    /**
     * Records {@code seq} after its ICV was verified: checks again (another worker may have
     * accepted the same number meanwhile) and, if still {@link #OK}, marks it and moves the
     * window forward when it is the new highest.
     */
    public synchronized int accept(long seq) {
        int v = verdict(seq);
        if (v != OK) {
            return v;
        }
        if (Long.compareUnsigned(seq, mark) > 0) {
            // Recording it would let a crash forget it was seen: wait for the disk.
            if (Long.compareUnsigned(seq, wanted) > 0) {
                wanted = seq;
            }
            markWanted.run();
            return UNPERSISTED;
        }
        if (Long.compareUnsigned(seq, top) > 0) {
            advance(seq);
            if (markWanted != null && Long.compareUnsigned(top, refillAt) >= 0) {
                markWanted.run();
            }
        }
        if (size != 0) {
            blocks[(int) (seq >>> 6) & blockMask] |= 1L << seq;
        }
        return OK;
    }

    /**
     * Guards the window with a persisted mark: from now on {@link #accept} records no number
     * above {@code mark} and calls {@code markWanted} (on the accepting worker, so it must only
     * signal, allocation-free) once the top reaches {@code refillAt} or a number is refused.
     */
    public synchronized void persistAhead(long mark, long refillAt, Runnable markWanted) {
        if (markWanted == null) {
            throw new IllegalArgumentException("a guarded window needs someone to ask for its next mark");
        }
        this.markWanted = markWanted;
        this.mark = mark;
        this.refillAt = refillAt;
        this.wanted = 0;
    }

    /** A higher mark is on disk: numbers up to it may be recorded. Never lowers the mark. */
    public synchronized void raiseMark(long mark, long refillAt) {
        if (markWanted == null) {
            throw new IllegalStateException("window is not guarded by a persisted mark");
        }
        if (Long.compareUnsigned(mark, this.mark) > 0) {
            this.mark = mark;
            this.refillAt = refillAt;
        }
        if (Long.compareUnsigned(wanted, this.mark) <= 0) {
            wanted = 0;
        }
    }

    /**
     * Stops recording anything above the current top and returns it: what an orderly close
     * persists, so a clean restart refuses exactly what was accepted.
     */
    public synchronized long freeze() {
        if (markWanted == null) {
            throw new IllegalStateException("window is not guarded by a persisted mark");
        }
        mark = top;
        refillAt = -1L;
        return top;
    }

    /** The highest number recorded may reach now (unsigned); all ones when unguarded. */
    public synchronized long mark() {
        return mark;
    }

    /** The highest authentic number refused past the mark since it was last raised, 0 if none. */
    public synchronized long wanted() {
        return wanted;
    }

    /**
     * Carries on from a known highest number, for an SA whose earlier window is gone (a restart
     * with static keys, a stage replaced without its state): {@code highest} and every number in
     * the window below it count as received, so nothing that may already have arrived is
     * accepted again. Never moves the window back.
     */
    public synchronized void resumeAfter(long highest) {
        if (Long.compareUnsigned(highest, top) > 0) {
            top = highest;
        }
        Arrays.fill(blocks, -1L);
        // In the top's own block only the numbers up to the top are received.
        blocks[(int) (top >>> 6) & blockMask] = -1L >>> (63 - (top & 63));
        if (topCell != null) {
            topCell.set(ValueLayout.JAVA_LONG, 0, top);
        }
    }

    /** Highest number accepted so far (unsigned), 0 if none. */
    public synchronized long highest() {
        return top;
    }

    private int verdict(long seq) {
        if (size == 0) {
            return OK;
        }
        if (seq == 0) {
            return TOO_OLD;
        }
        if (Long.compareUnsigned(seq, top) > 0) {
            return OK;
        }
        if (Long.compareUnsigned(top - seq, size) >= 0) {
            return TOO_OLD;
        }
        return (blocks[(int) (seq >>> 6) & blockMask] & 1L << seq) != 0 ? REPLAY : OK;
    }

    /** Clears the blocks between the old top's block and the new one (RFC 6479 section 2.3). */
    private void advance(long seq) {
        if (size != 0) {
            long from = top >>> 6;
            long to = seq >>> 6;
            long steps = to - from;
            if (steps >= blocks.length) {
                Arrays.fill(blocks, 0);
            } else {
                for (long b = from + 1; b <= to; b++) {
                    blocks[(int) b & blockMask] = 0;
                }
            }
        }
        top = seq;
        if (topCell != null) {
            topCell.set(ValueLayout.JAVA_LONG, 0, seq);
        }
    }

    /**
     * Stores the top in {@code cell} (8 bytes) from now on, each time it moves, so a restarted
     * process can resume exactly where this window stopped.
     */
    public synchronized void recordTopIn(MemorySegment cell) {
        this.topCell = cell;
        cell.set(ValueLayout.JAVA_LONG, 0, top);
    }

    @Override
    public synchronized String toString() {
        String guard = markWanted == null ? "" : ", persisted through " + Long.toUnsignedString(mark);
        return (size == 0 ? "anti-replay off, highest " + Long.toUnsignedString(top)
                : "window " + size + ", highest " + Long.toUnsignedString(top)) + guard;
    }
}
