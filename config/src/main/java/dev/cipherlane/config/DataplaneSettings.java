package dev.cipherlane.config;

import java.util.Objects;

/**
 * Sizing of the packet-processing side.
 *
 * @param workers         dataplane.workers, worker threads running the graph
 * @param buffers         dataplane.buffers, the two buffer pools
 * @param ringSize        dataplane.ring-size, slots per Disruptor ring
 * @param traceMaxPackets dataplane.trace.max-packets, packets a trace follows
 * @param idleSpinPolls   dataplane.idle.spin-polls, empty polls before a worker sleeps
 * @param faultInjection  dataplane.fault-injection, a stage made to throw (chaos testing)
 */
public record DataplaneSettings(
        int workers,
        BufferSettings buffers,
        int ringSize,
        int traceMaxPackets,
        int idleSpinPolls,
        FaultInjectionSettings faultInjection) {

    public static final int MIN_WORKERS = 1;
    public static final int MAX_WORKERS = 64;
    public static final int MIN_RING_SIZE = 64;
    public static final int MAX_RING_SIZE = 65536;
    public static final int MAX_TRACE_PACKETS = 10_000;
    public static final int MAX_IDLE_SPIN_POLLS = 1_000_000;

    public DataplaneSettings {
        Bounds.check("workers", workers, MIN_WORKERS, MAX_WORKERS);
        Objects.requireNonNull(buffers, "buffers");
        // A power of two lets the ring index with a mask instead of a division.
        Bounds.checkPowerOfTwo("ring-size", ringSize, MIN_RING_SIZE, MAX_RING_SIZE);
        Bounds.check("trace.max-packets", traceMaxPackets, 0, MAX_TRACE_PACKETS);
        Bounds.check("idle.spin-polls", idleSpinPolls, 0, MAX_IDLE_SPIN_POLLS);
        Objects.requireNonNull(faultInjection, "faultInjection");
    }
}
