package dev.cipherlane.stages.ring;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.cipherlane.stages.graph.Frame;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packets crossing from one worker thread to another: an LMAX Disruptor ring of
 * preallocated slots, each holding the buffer indices of one frame (up to
 * {@link Frame#CAPACITY}). Producers copy indices into a slot, so no object they keep using
 * is ever shared; publishing the slot also publishes the packet bytes and metadata the
 * producer wrote, since Disruptor's publish is a release and the consumer's availability
 * check an acquire.
 *
 * <p>Producers: any number of workers at once ({@code createMultiProducer}). A producer
 * never waits: {@link #offer} claims with {@code tryNext()} and reports a full ring by
 * returning false; the caller drops and counts. Ordering: slots are consumed in claim
 * order, and one producer claims its slots one after another, so the packets of one
 * producer come out in the order it offered them; packets of different producers
 * interleave by claim order.
 *
 * <p>Consumer: exactly one at a time, through Disruptor's non-blocking {@link EventPoller}.
 * The poller is created with the ring and gates the producers, so it outlives any stage that
 * drains it (a stage swap picks up where the old instance stopped). A second thread calling
 * {@link #poll} while one is inside gets 0 instead of corrupting the poller's sequence.
 */
public final class FrameRing {
    /** Slots per ring; each slot carries one frame. */
    public static final String SIZE_NAME = "cipherlane.dataplane.ring-size";
    public static final int SIZE_DEFAULT = 1024;
    public static final int SIZE_MIN = 64;
    public static final int SIZE_MAX = 65536;

    /** Receives the packets of one slot, in ring order; {@code attachment} is what poll got. */
    @FunctionalInterface
    public interface Drain<A> {
        void accept(A attachment, int[] buffers, int off, int count);
    }

    private static final class Slot {
        final int[] buffers = new int[Frame.CAPACITY];
        int count;
    }

    /**
     * The poller's callback, one per ring so polling allocates nothing. Its fields are set
     * for the duration of one {@link #poll} by the single consumer.
     */
    private static final class Taker implements EventPoller.Handler<Slot> {
        Drain<Object> drain;
        Object attachment;
        int budget;
        int taken;

        @Override
        public boolean onEvent(Slot slot, long sequence, boolean endOfBatch) {
            int n = slot.count;
            drain.accept(attachment, slot.buffers, 0, n);
            taken += n;
            return taken < budget;
        }
    }

    private static final VarHandle POLLING;

    static {
        try {
            POLLING = MethodHandles.lookup().findVarHandle(FrameRing.class, "polling", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final RingBuffer<Slot> ring;
    private final EventPoller<Slot> poller;
    private final Taker taker = new Taker();
    @SuppressWarnings("unused") // accessed through POLLING
    private volatile int polling;

    /** A ring named {@code name} (for {@code show} and traces) of {@code size} slots. */
    public FrameRing(String name, int size) {
        this.name = name;
        // Nobody ever waits on this ring (the consumer polls), so the wait strategy is only
        // asked to signal on publish: a no-op for busy-spin, where the default blocking
        // strategy would take a lock on every publish.
        this.ring = RingBuffer.createMultiProducer(Slot::new, validateSize(size), new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        // Without this, producers would not see the consumer and would overwrite slots it
        // has not read yet.
        ring.addGatingSequences(poller.getSequence());
    }

    /** Checks a configured ring size: a power of two in [SIZE_MIN, SIZE_MAX]. */
    public static int validateSize(int size) {
        if (size < SIZE_MIN || size > SIZE_MAX || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(SIZE_NAME + " must be a power of two in ["
                    + SIZE_MIN + ", " + SIZE_MAX + "], got " + size);
        }
        return size;
    }

    public String name() {
        return name;
    }

    /** Slots in the ring. */
    public int capacity() {
        return ring.getBufferSize();
    }

    /** Slots free for producers right now (a snapshot; others may be claiming). */
    public long remainingCapacity() {
        return ring.remainingCapacity();
    }

    /**
     * Hands {@code bis[off, off+n)} to the consumer as one slot. Returns false, having
     * taken nothing, when the ring is full: the caller still owns the packets. Never
     * waits. {@code n} is at most {@link Frame#CAPACITY}; 0 hands over nothing.
     */
    public boolean offer(int[] bis, int off, int n) {
        if (n <= 0 || n > Frame.CAPACITY) {
            if (n == 0) {
                return true;
            }
            throw new IllegalArgumentException("a slot holds 1.." + Frame.CAPACITY + " packets, got " + n);
        }
        // Checked first so a full ring is an ordinary false, not a thrown exception; tryNext
        // can still find it full when another producer took the last slot in between.
        if (!ring.hasAvailableCapacity(1)) {
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (InsufficientCapacityException raced) {
            // Disruptor throws a shared, stackless instance: nothing is allocated.
            return false;
        }
        Slot slot = ring.get(seq);
        System.arraycopy(bis, off, slot.buffers, 0, n);
        slot.count = n;
        ring.publish(seq);
        return true;
    }

    /**
     * Gives the consumer whole slots, oldest first, until at least {@code budget} packets
     * were handed to {@code drain} or the ring is empty; returns the packets handed over.
     * The budget is a hint: a slot is never split, so one poll may pass it by up to
     * {@code Frame.CAPACITY - 1} packets. Never waits.
     */
    @SuppressWarnings("unchecked")
    public <A> int poll(Drain<A> drain, A attachment, int budget) {
        if (budget <= 0 || !POLLING.compareAndSet(this, 0, 1)) {
            return 0;
        }
        Taker t = taker;
        t.drain = (Drain<Object>) drain;
        t.attachment = attachment;
        t.budget = budget;
        t.taken = 0;
        try {
            while (t.taken < budget && poller.poll(t) == EventPoller.PollState.PROCESSING) {
                // Another batch may have been published while the last one was handed over.
            }
            return t.taken;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            // EventPoller.poll declares Exception; a Drain cannot throw a checked one.
            throw new IllegalStateException(e);
        } finally {
            t.drain = null;
            t.attachment = null;
            POLLING.setRelease(this, 0);
        }
    }

    @Override
    public String toString() {
        return "ring " + name + " (" + capacity() + " slots)";
    }
}
