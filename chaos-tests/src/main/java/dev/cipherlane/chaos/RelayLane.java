package dev.cipherlane.chaos;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One direction of the relay: applies that direction's {@link Impairment} to each frame and
 * hands survivors to a {@link FrameSink}. Driven by one thread ({@link #accept} per frame,
 * {@link #poll} when timers are due); {@link #counters()} and {@link #impairment(Impairment)}
 * may be called from any thread.
 *
 * <p>Decisions come from one seeded {@link SplittableRandom}, drawn in a fixed order per
 * frame, so the same seed and the same frame sequence give the same faults. Frames forwarded
 * at once go straight from the receive buffer; only frames that wait (held for reordering or
 * delayed) are copied to the heap. That is a test relay's trade-off, not the data path's.
 */
final class RelayLane {
    /** Where surviving frames go: the far side's packet socket, or a test's list. */
    @FunctionalInterface
    interface FrameSink {
        void send(MemorySegment frame, int length) throws LinuxException;
    }

    private static final int RECEIVED = 0;
    private static final int FORWARDED = 1;
    private static final int DROPPED = 2;
    private static final int DUPLICATED = 3;
    private static final int REORDERED = 4;
    private static final int CORRUPTED = 5;
    private static final int PARTITIONED = 6;
    private static final int ERRORS = 7;

    /** A frame waiting in the timed queue; {@code order} keeps equal due times FIFO. */
    private record Delayed(byte[] frame, long dueNanos, long order) {}

    /** A frame held back until {@code framesLeft} more frames pass or the deadline comes. */
    private static final class Held {
        final byte[] frame;
        final long deadlineNanos;
        int framesLeft;

        Held(byte[] frame, int framesLeft, long deadlineNanos) {
            this.frame = frame;
            this.framesLeft = framesLeft;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final FrameSink sink;
    private final SplittableRandom random;
    private final MemorySegment scratch;
    /** Single writer (the relay thread), any reader: setRelease / getAcquire, no CAS. */
    private final AtomicLongArray counts = new AtomicLongArray(8);
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>(
            (x, y) -> x.dueNanos != y.dueNanos ? Long.compare(x.dueNanos, y.dueNanos) : Long.compare(x.order, y.order));
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long delayOrder;
    private volatile Impairment impairment = Impairment.NONE;

    RelayLane(FrameSink sink, long seed, int maxFrame) {
        this.sink = sink;
        this.random = new SplittableRandom(seed);
        this.scratch = Arena.ofAuto().allocate(maxFrame, 64);
    }

    void impairment(Impairment next) {
        impairment = Objects.requireNonNull(next, "impairment");
    }

    Impairment impairment() {
        return impairment;
    }

    /** Takes frame {@code buf[0, length)}; may change its bytes (corruption). */
    void accept(MemorySegment buf, int length, long nowNanos) {
        Impairment imp = impairment;
        count(RECEIVED);
        if (imp.partitioned()) {
            count(PARTITIONED);
            return;
        }
        if (chance(imp.lossPercent())) {
            count(DROPPED);
            return;
        }
        if (chance(imp.corruptPercent()) && length > Ethernet.HEADER_LENGTH) {
            long at = Ethernet.HEADER_LENGTH + random.nextInt(length - Ethernet.HEADER_LENGTH);
            // XOR with 1..255 so the byte always changes.
            byte flip = (byte) (1 + random.nextInt(255));
            buf.set(ValueLayout.JAVA_BYTE, at, (byte) (buf.get(ValueLayout.JAVA_BYTE, at) ^ flip));
            count(CORRUPTED);
        }
        int copies = 1;
        if (chance(imp.duplicatePercent())) {
            copies = 2;
            count(DUPLICATED);
        }
        // Frames already held are overtaken by this one: count it before holding anything new.
        boolean hold = chance(imp.reorderPercent());
        for (int i = 0; i < copies; i++) {
            if (hold && i == 0) {
                held.addLast(new Held(copy(buf, length), imp.reorderGap(),
                        nowNanos + imp.reorderHold().toNanos()));
                count(REORDERED);
            } else {
                emit(buf, length, nowNanos, imp);
            }
        }
        if (!hold) {
            overtakeHeld(nowNanos, imp);
        }
    }

    /** Sends what is due: delayed frames whose time came, held frames past their deadline. */
    void poll(long nowNanos) {
        if (!held.isEmpty()) {
            Impairment imp = impairment;
            for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
                Held h = it.next();
                if (nowNanos - h.deadlineNanos >= 0) {
                    it.remove();
                    emitCopy(h.frame, nowNanos, imp);
                }
            }
        }
        Delayed d;
        while ((d = delayed.peek()) != null && nowNanos - d.dueNanos >= 0) {
            delayed.poll();
            if (impairment.partitioned()) {
                count(PARTITIONED);
            } else {
                sendCopy(d.frame);
            }
        }
    }

    /** The earliest time {@link #poll} has work, or {@link Long#MAX_VALUE} for none. */
    long nextDeadline() {
        long next = Long.MAX_VALUE;
        Delayed d = delayed.peek();
        if (d != null) {
            next = d.dueNanos;
        }
        for (Held h : held) {
            next = Math.min(next, h.deadlineNanos);
        }
        return next;
    }

    /** Frames waiting in this lane (held or delayed). */
    int waiting() {
        return held.size() + delayed.size();
    }

    RelayCounters counters() {
        return new RelayCounters(counts.get(RECEIVED), counts.get(FORWARDED), counts.get(DROPPED),
                counts.get(DUPLICATED), counts.get(REORDERED), counts.get(CORRUPTED), counts.get(PARTITIONED),
                counts.get(ERRORS));
    }

    /** Counts a frame the relay could not take in (e.g. larger than its buffer). */
    void countError() {
        count(ERRORS);
    }

    private void overtakeHeld(long nowNanos, Impairment imp) {
        if (held.isEmpty()) {
            return;
        }
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (--h.framesLeft <= 0) {
                it.remove();
                emitCopy(h.frame, nowNanos, imp);
            }
        }
    }

    private void emit(MemorySegment buf, int length, long nowNanos, Impairment imp) {
        long wait = imp.delays() ? delayNanos(imp) : 0;
        if (wait > 0) {
            delayed.add(new Delayed(copy(buf, length), nowNanos + wait, delayOrder++));
        } else {
            send(buf, length);
        }
    }

    private void emitCopy(byte[] frame, long nowNanos, Impairment imp) {
        if (imp.partitioned()) {
            // A cut wire loses what was in flight on it, held frames included.
            count(PARTITIONED);
            return;
        }
        long wait = imp.delays() ? delayNanos(imp) : 0;
        if (wait > 0) {
            delayed.add(new Delayed(frame, nowNanos + wait, delayOrder++));
        } else {
            sendCopy(frame);
        }
    }

    private long delayNanos(Impairment imp) {
        long base = imp.delay().toNanos();
        long jitter = imp.jitter().toNanos();
        if (jitter > 0) {
            base += random.nextLong(-jitter, jitter + 1);
        }
        return Math.max(0, base);
    }

    private void sendCopy(byte[] frame) {
        MemorySegment.copy(frame, 0, scratch, ValueLayout.JAVA_BYTE, 0, frame.length);
        send(scratch, frame.length);
    }

    private void send(MemorySegment buf, int length) {
        try {
            sink.send(buf, length);
            count(FORWARDED);
        } catch (LinuxException e) {
            // The wire is best effort: a full queue or a vanished interface loses the frame.
            count(ERRORS);
        }
    }

    private boolean chance(double percent) {
        // Always draw, so one setting does not shift the random stream of the others.
        double roll = random.nextDouble() * 100.0;
        return roll < percent;
    }

    private void count(int which) {
        counts.setRelease(which, counts.getPlain(which) + 1);
    }

    private static byte[] copy(MemorySegment buf, int length) {
        byte[] b = new byte[length];
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, 0, length);
        return b;
    }
}
