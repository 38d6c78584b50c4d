package dev.cipherlane.ipsec.parallel;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One SA's packets over several cores, in order (DESIGN.md, "Threads and Disruptor
 * rings"). A Disruptor ring of preallocated batches, each a frame's buffer indices, its
 * per-packet results and the job to run on them:
 *
 * <pre>
 *   producer (worker) --offer--> [ring] --slot s--> crypto thread (s mod N) runs the job
 *                                       \--poll--> consumer (worker), gated on all N threads,
 *                                                  takes batches in ring order
 * </pre>
 *
 * Crypto thread k works on the slots whose sequence is k modulo N and skips the others, so
 * the threads share the work frame by frame without ever talking to each other; thread k
 * having passed slot s means it finished every slot of its own up to s. The consumer polls
 * with an {@link EventPoller} gated on all N threads' sequences, so it sees a batch only
 * when every thread has passed it, and batches come out in the order they went in: packets
 * leave in sequence-number order whichever thread encrypted them. Producers are gated on
 * the consumer, so slots are reused only once delivered.
 *
 * <p>Never blocks the producer: a full ring makes {@link #offer} return false, and the
 * caller drops and counts. Idle crypto threads park ({@link ParkingWaitStrategy}).
 * Writes to packet bytes and metadata travel with the slots: publishing is a release and
 * waiting an acquire, producer to crypto thread and crypto thread to consumer.
 *
 * <p>Nothing is allocated per batch: slots, their arrays and the poller's callback are made
 * once; a job is usually one object per SA.
 *
 * @param <E> the per-thread engine type; {@link EngineFactory} makes one per crypto thread
 */
public final class ParallelRing<E> implements AutoCloseable {
    /** Crypto threads per ring. */
    public static final String THREADS_NAME = "cipherlane.ipsec.crypto-threads";
    public static final int THREADS_DEFAULT = 1;
    /**
     * Most threads a ring starts. Configuration is held to the machine's processors
     * ({@link #validateThreads}); the ring itself takes more, so tests can check ordering
     * with more threads than a small machine has cores.
     */
    public static final int MAX_THREADS = 64;
    /** Slots (batches) per ring. */
    public static final String SIZE_NAME = "cipherlane.ipsec.crypto-ring-size";
    public static final int SIZE_DEFAULT = 1024;
    public static final int SIZE_MIN = 64;
    public static final int SIZE_MAX = 65536;

    /** Result of a packet whose job threw: the consumer counts it as a failed job. */
    public static final int JOB_THREW = -1;
    /** Result of a packet the ring was closed on before its job ran. */
    public static final int NOT_RUN = -2;

    /** Receives completed batches in ring order; {@code attachment} is what poll got. */
    @FunctionalInterface
    public interface Completion<A, E> {
        void accept(A attachment, PacketJob<E> job, int[] buffers, int[] results, int count);
    }

    static final class Batch<E> {
        final int[] buffers = new int[Frame.CAPACITY];
        final int[] results = new int[Frame.CAPACITY];
        int count;
        PacketJob<E> job;
    }

    /** One crypto thread's view of the ring: its own slots, its engine. */
    private final class CryptoHandler implements EventHandler<Batch<E>> {
        private final int thread;
        private final E engine;
        private Sequence progress;

        CryptoHandler(int thread, E engine) {
            this.thread = thread;
            this.engine = engine;
        }

        @Override
        public void onStart() {
            waitStrategy.register(Thread.currentThread());
        }

        @Override
        public void setSequenceCallback(Sequence sequenceCallback) {
            progress = sequenceCallback;
        }

        @Override
        public void onEvent(Batch<E> batch, long sequence, boolean endOfBatch) {
            if (sequence % threads != thread) {
                if (endOfBatch) {
                    published(sequence);
                }
                return;
            }
            int n = batch.count;
            int[] bis = batch.buffers;
            int[] results = batch.results;
            if (closed) {
                Arrays.fill(results, 0, n, NOT_RUN);
            } else {
                PacketJob<E> job = batch.job;
                PacketMemory m = mem;
                for (int i = 0; i < n; i++) {
                    int r;
                    try {
                        r = job.run(engine, m, bis[i], thread);
                    } catch (RuntimeException e) {
                        jobFailed(e);
                        r = JOB_THREW;
                    }
                    results[i] = r;
                }
            }
            // Every slot of this thread up to here is done: let the consumer have it now
            // rather than at the end of a long batch of slots.
            if (!endOfBatch) {
                progress.set(sequence);
            } else {
                published(sequence);
            }
        }

        /**
         * At the end of each run of slots, own or skipped, this thread's progress is published
         * and the consumer woken: whichever thread passes a slot last makes it visible, so each
         * must wake the consumer, which may be asleep in epoll with no fd for the ring.
         */
        private void published(long sequence) {
            progress.set(sequence);
            Runnable wake = onBatchDone;
            if (wake != null) {
                wake.run();
            }
        }
    }

    /** Anything a job throws that is not a RuntimeException fails its whole batch, not the thread. */
    private final class BatchFailure implements ExceptionHandler<Batch<E>> {
        @Override
        public void handleEventException(Throwable ex, long sequence, Batch<E> batch) {
            jobFailed(ex);
            if (batch != null) {
                Arrays.fill(batch.results, 0, batch.count, JOB_THREW);
            }
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            jobFailed(ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            jobFailed(ex);
        }
    }

    /** The poller's callback, one per ring so polling allocates nothing; set for one poll at a time. */
    private final class Taker implements EventPoller.Handler<Batch<E>> {
        Completion<Object, E> completion;
        Object attachment;
        int budget;
        int taken;

        @Override
        public boolean onEvent(Batch<E> batch, long sequence, boolean endOfBatch) {
            int n = batch.count;
            PacketJob<E> job = batch.job;
            batch.job = null;
            completion.accept(attachment, job, batch.buffers, batch.results, n);
            taken += n;
            return taken < budget;
        }
    }

    private static final VarHandle POLLING;

    static {
        try {
            POLLING = MethodHandles.lookup().findVarHandle(ParallelRing.class, "polling", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final PacketMemory mem;
    private final int threads;
    private final ParkingWaitStrategy waitStrategy;
    private final RingBuffer<Batch<E>> ring;
    private final List<BatchEventProcessor<Batch<E>>> processors;
    private final Thread[] cryptoThreads;
    /** What a crypto thread runs after publishing progress ({@link #onBatchDone}). */
    private volatile Runnable onBatchDone;
    private final EventPoller<Batch<E>> poller;
    private final Taker taker = new Taker();
    private final AtomicLong jobFailures = new AtomicLong();
    private final AtomicReference<Throwable> firstJobFailure = new AtomicReference<>();
    private volatile boolean closed;
    @SuppressWarnings("unused") // accessed through POLLING
    private volatile int polling;

    /**
     * Starts {@code threads} crypto threads, each with an engine from {@code engines}.
     *
     * @param name    for thread names and {@code show}
     * @param size    slots, a power of two in [{@link #SIZE_MIN}, {@link #SIZE_MAX}]
     * @param threads crypto threads, 1 to {@link #MAX_THREADS}; configured counts go through
     *                {@link #validateThreads} first
     */
    public ParallelRing(String name, PacketMemory mem, int size, int threads, EngineFactory<E> engines) {
        this.name = name;
        this.mem = mem;
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException(name + ": 1 to " + MAX_THREADS + " crypto threads, got " + threads);
        }
        this.threads = threads;
        this.waitStrategy = new ParkingWaitStrategy(threads);
        this.ring = RingBuffer.createMultiProducer(Batch::new, validateSize(size), waitStrategy);
        List<BatchEventProcessor<Batch<E>>> built = new ArrayList<>(threads);
        this.cryptoThreads = new Thread[threads];
        Sequence[] done = new Sequence[threads];
        BatchEventProcessorBuilder builder = new BatchEventProcessorBuilder();
        for (int k = 0; k < threads; k++) {
            E engine = engines.create(k);
            BatchEventProcessor<Batch<E>> p = builder.build(ring, ring.newBarrier(), new CryptoHandler(k, engine));
            p.setExceptionHandler(new BatchFailure());
            done[k] = p.getSequence();
            built.add(p);
        }
        this.processors = List.copyOf(built);
        this.poller = ring.newPoller(done);
        ring.addGatingSequences(poller.getSequence());
        for (int k = 0; k < threads; k++) {
            cryptoThreads[k] = Thread.ofPlatform().daemon().name("cl-crypto-" + name + "-" + k).start(processors.get(k));
        }
    }

    /**
     * Runs {@code wake} on a crypto thread after it publishes progress, so a consumer that
     * sleeps between polls (a worker idling in epoll) hears of finished batches. It must be
     * cheap and must not block: typically the worker's idle strategy's wake-up.
     */
    public void onBatchDone(Runnable wake) {
        this.onBatchDone = wake;
    }

    /** Checks a configured crypto thread count: 1 up to the processors of this machine. */
    public static int validateThreads(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads < 1 || threads > cores) {
            throw new IllegalArgumentException(THREADS_NAME + " must be in [1, " + cores
                    + "] (the processors of this machine), got " + threads);
        }
        return threads;
    }

    /** Checks a configured ring size: a power of two in [SIZE_MIN, SIZE_MAX]. */
    public static int validateSize(int size) {
        if (size < SIZE_MIN || size > SIZE_MAX || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException(SIZE_NAME + " must be a power of two in [" + SIZE_MIN + ", "
                    + SIZE_MAX + "], got " + size);
        }
        return size;
    }

    /**
     * Hands {@code bis[off, off+n)} to the crypto threads as one batch to run {@code job} on.
     * Returns false, having taken nothing, when the ring is full or closed: the caller still
     * owns the packets. Never waits. {@code n} is at most {@link Frame#CAPACITY}; 0 hands over
     * nothing.
     */
    public boolean offer(int[] bis, int off, int n, PacketJob<E> job) {
        if (n < 1 || n > Frame.CAPACITY) {
            if (n == 0) {
                return true;
            }
            throw new IllegalArgumentException("a batch holds 1.." + Frame.CAPACITY + " packets, got " + n);
        }
        if (closed || !ring.hasAvailableCapacity(1)) {
            return false;
        }
        long seq;
        try {
            seq = ring.tryNext();
        } catch (InsufficientCapacityException raced) {
            // A shared, stackless instance: nothing is allocated.
            return false;
        }
        Batch<E> b = ring.get(seq);
        System.arraycopy(bis, off, b.buffers, 0, n);
        b.count = n;
        b.job = job;
        ring.publish(seq);
        return true;
    }

    /**
     * Gives {@code completion} whole completed batches, in ring order, until at least
     * {@code budget} packets were handed over or no completed batch is left; returns the
     * packets handed over. Each packet's result is {@link PacketJob#PASS}, the job's
     * reason code, {@link #JOB_THREW} or {@link #NOT_RUN}; the completion owns the packets
     * from then on. One consumer at a time: a concurrent call gets 0. Never waits.
     */
    @SuppressWarnings("unchecked")
    public <A> int poll(Completion<A, E> completion, A attachment, int budget) {
        if (budget <= 0 || closed || !POLLING.compareAndSet(this, 0, 1)) {
            return 0;
        }
        Taker t = taker;
        t.completion = (Completion<Object, E>) completion;
        t.attachment = attachment;
        t.budget = budget;
        t.taken = 0;
        try {
            while (t.taken < budget && poller.poll(t) == EventPoller.PollState.PROCESSING) {
                // more may have completed while the last batches were handed over
            }
            return t.taken;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            // EventPoller.poll declares Exception; a Completion cannot throw a checked one.
            throw new IllegalStateException(e);
        } finally {
            t.completion = null;
            t.attachment = null;
            POLLING.setRelease(this, 0);
        }
    }

    /**
     * Stops the crypto threads and frees every packet still in the ring, processed or not;
     * returns how many it freed. Call once no producer offers any more (its worker stopped
     * or its stage was swapped out); a consumer inside {@link #poll} is waited for.
     */
    public int shutdown() {
        synchronized (this) {
            if (closed) {
                return 0;
            }
            closed = true;
        }
        for (BatchEventProcessor<Batch<E>> p : processors) {
            p.halt();
        }
        for (Thread t : cryptoThreads) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        while (!POLLING.compareAndSet(this, 0, 1)) {
            LockSupport.parkNanos(10_000L);
        }
        int freed = 0;
        Sequence consumed = poller.getSequence();
        long last = ring.getCursor();
        try (BufferCache cache = mem.newCache()) {
            for (long s = consumed.get() + 1; s <= last; s++) {
                if (!ring.isAvailable(s)) {
                    // Claimed but never published: the producer still owns those packets.
                    continue;
                }
                Batch<E> b = ring.get(s);
                cache.free(b.buffers, 0, b.count);
                freed += b.count;
                b.job = null;
            }
        }
        consumed.set(last);
        return freed;
    }

    /** {@link #shutdown}. */
    @Override
    public void close() {
        shutdown();
    }

    void jobFailed(Throwable e) {
        jobFailures.incrementAndGet();
        firstJobFailure.compareAndSet(null, e);
    }

    public String name() {
        return name;
    }

    public int threads() {
        return threads;
    }

    /** Slots in the ring. */
    public int capacity() {
        return ring.getBufferSize();
    }

    /** Slots free for producers right now (a snapshot). */
    public long remainingCapacity() {
        return ring.remainingCapacity();
    }

    /** Jobs that threw (packets counted one by one; a batch failed whole counts once). */
    public long jobFailures() {
        return jobFailures.get();
    }

    /** The first thing a job threw, for the operator; null if none did. */
    public Throwable firstJobFailure() {
        return firstJobFailure.get();
    }

    /** The crypto threads, for monitoring (CPU time, state). */
    public Thread[] cryptoThreads() {
        return cryptoThreads.clone();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "parallel ring " + name + " (" + threads + " crypto threads, " + capacity() + " slots)";
    }
}
