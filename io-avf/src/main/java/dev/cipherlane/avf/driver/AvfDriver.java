package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.virtchnl.EthStats;
import dev.cipherlane.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An AVF VF driven from one thread: {@link #poll(long)} now and then for the control path,
 * {@link #receive} and {@link #transmit} for frames. Frames are copied between the rings'
 * DMA buffers and the caller's segments (its packet buffers, say), a batch per call, with
 * no allocation; while the VF is not {@link VfState#RUNNING} (during a reset, say) both
 * move nothing and return 0, and the caller keeps or drops its frames as it likes.
 *
 * <pre>
 * AvfDriver vf = new AvfDriver(device, AvfSettings.DEFAULT);
 * vf.start(clock.nanos());
 * loop: vf.poll(clock.nanos());
 *       int n = vf.receive(q, frames, lengths, frames.length);  ...
 *       vf.transmit(q, out, outLengths, m);
 * </pre>
 */
public final class AvfDriver implements AutoCloseable {
    private final VfControl control;

    public AvfDriver(AvfDevice device, AvfSettings settings) {
        this.control = new VfControl(device, settings);
    }

    /** Starts bring-up (or starts over after {@link VfState#FAILED}). */
    public void start(long nowNanos) {
        control.start(nowNanos);
    }

    public VfState poll(long nowNanos) {
        return control.poll(nowNanos);
    }

    public VfState state() {
        return control.state();
    }

    /** Why the driver is {@link VfState#FAILED}, or null. */
    public String failure() {
        return control.failure();
    }

    /** Queue pairs in use; 0 unless running. */
    public int queues() {
        return control.queues();
    }

    /**
     * Takes up to {@code max} received frames from {@code queue} into {@code frames[i]}
     * (each must be able to hold a whole frame), their lengths into {@code lengths[i]}.
     *
     * @return frames taken, 0 when there are none or the VF is not running
     */
    public int receive(int queue, MemorySegment[] frames, int[] lengths, int max) {
        return receive(queue, frames, lengths, null, max);
    }

    /** As {@link #receive(int, MemorySegment[], int[], int)}, with each frame's RSS hash (0 if none). */
    public int receive(int queue, MemorySegment[] frames, int[] lengths, int[] hashes, int max) {
        if (control.state() != VfState.RUNNING || queue >= control.queues()) {
            return 0;
        }
        return control.rx(queue).receive(frames, lengths, hashes, Math.min(max, frames.length));
    }

    /**
     * As {@link #receive(int, MemorySegment[], int[], int[], int)}, into one segment (a packet
     * pool's memory): frame {@code i} goes to {@code offsets[i]}, where {@code capacity}
     * bytes are free; a longer frame is dropped and counted (rxTooLong).
     */
    public int receive(int queue, MemorySegment base, long[] offsets, int capacity, int[] lengths, int[] hashes,
                       int max) {
        if (control.state() != VfState.RUNNING || queue >= control.queues()) {
            return 0;
        }
        return control.rx(queue).receive(base, offsets, capacity, lengths, hashes, Math.min(max, offsets.length));
    }

    /** As {@link #transmit(int, MemorySegment[], int[], int)}, frame {@code i} at {@code offsets[i]} of {@code base}. */
    public int transmit(int queue, MemorySegment base, long[] offsets, int[] lengths, int count) {
        if (control.state() != VfState.RUNNING || queue >= control.queues()) {
            return 0;
        }
        return control.tx(queue).transmit(base, offsets, lengths, count);
    }

    /**
     * Queues {@code frames[0, count)} (lengths in {@code lengths}) on {@code queue}.
     *
     * @return how many frames, from the first, were taken: sent, or dropped as invalid
     *         (empty or longer than the maximum frame); fewer than {@code count} when the
     *         ring is full, 0 when the VF is not running
     */
    public int transmit(int queue, MemorySegment[] frames, int[] lengths, int count) {
        if (control.state() != VfState.RUNNING || queue >= control.queues()) {
            return 0;
        }
        return control.tx(queue).transmit(frames, lengths, count);
    }

    public MacAddress mac() {
        return control.mac();
    }

    public boolean linkUp() {
        return control.linkUp();
    }

    public int linkSpeedMbps() {
        return control.linkSpeedMbps();
    }

    /** The VSI's counters from the PF, as of the last GET_STATS. */
    public EthStats deviceStats() {
        return control.stats();
    }

    public VfControl control() {
        return control;
    }

    /** The driver's own per-queue counters; zeros for a queue never set up. */
    public QueueCounters counters(int queue) {
        if (queue >= control.ringsBuilt()) {
            return new QueueCounters(0, 0, 0, 0, 0, 0, 0, 0);
        }
        RxRing r = control.rx(queue);
        TxRing t = control.tx(queue);
        return new QueueCounters(r.packets, r.bytes, r.errors, r.tooLong, t.packets, t.bytes, t.ringFull, t.invalid);
    }

    /** Per-queue counters, a snapshot. */
    public record QueueCounters(long rxPackets, long rxBytes, long rxErrors, long rxTooLong,
                                long txPackets, long txBytes, long txRingFull, long txInvalid) {}

    public List<String> log() {
        return control.log();
    }

    /**
     * Begins an orderly stop (DISABLE_QUEUES, then the mailbox shut); poll until
     * {@link VfState#STOPPED} before the device and its memory go.
     */
    public void stop(long nowNanos) {
        control.stop(nowNanos);
    }

    /** Stops at once, without asking the PF: for when the device is going away regardless. */
    @Override
    public void close() {
        control.halt();
    }
}
