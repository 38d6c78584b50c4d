package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * The work a {@link ParallelRing} does on each packet of a batch, on one of its crypto
 * threads: for ESP, encrypt or decrypt in place with that thread's engine. One job object
 * serves many batches (it is usually per SA and made once), so publishing allocates nothing;
 * what differs per packet is read from the packet and its metadata.
 *
 * @param <E> the per-thread engine the ring's {@link EngineFactory} made
 */
@FunctionalInterface
public interface PacketJob<E> {
    /** The packet passes on. */
    int PASS = 0;

    /**
     * Works on packet {@code bi}; runs on crypto thread {@code thread} only, with
     * {@code engine}, the engine of that thread. Returns {@link #PASS} or a reason code
     * from 1 up, which the consumer turns into a named drop. Must not keep {@code bi}.
     */
    int run(E engine, PacketMemory mem, int bi, int thread);
}
