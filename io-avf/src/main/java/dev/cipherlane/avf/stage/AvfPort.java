package dev.cipherlane.avf.stage;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.driver.AvfDriver;
import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.Wire;
import dev.cipherlane.stages.ring.FrameRing;

/**
 * One VF as the dataplane holds it: the driver, the device under it (VFIO, or the software
 * model and its wire), the one worker that drives it, and a ring on which the other workers
 * hand that worker what they send out of it.
 *
 * <p>The driver has no thread and no locks (AvfDriver): {@link #service} (from
 * {@link AvfInput}'s poll) and the transmits of {@link AvfOutput} all run on the owner. With
 * the model the CPU is the hardware too: {@link #service} lets the model work before the
 * driver polls, and {@link #transmitted} right after a doorbell, so frames leave without
 * waiting for the next round (the worker may sleep in between).
 *
 * <p>A driver that gives up ({@link VfState#FAILED}: a reset that never completes, a PF that
 * refuses the handshake) is started again every {@link #RETRY_NANOS}; meanwhile nothing is
 * received and what is sent is dropped and counted, and {@link #status} says why for
 * {@code show health} and {@code show interfaces}. The state is published through volatile
 * fields, so other threads read it without touching the driver.
 */
public final class AvfPort implements AutoCloseable {
    /** How long a failed VF rests before bring-up is tried again. */
    public static final long RETRY_NANOS = 5_000_000_000L;

    private final String name;
    private final AvfDevice device;
    private final AvfModel model;
    private final Wire wire;
    private final AvfDriver driver;
    private final int worker;
    private final FrameRing handoff;
    private final int maxFrame;

    private volatile Runnable wake;
    private long failedAt = -1;
    private volatile VfState state = VfState.STOPPED;
    private volatile String failure;
    private volatile long restarts;
    private volatile Status status;
    private long nextPublish;
    private static final long PUBLISH_NANOS = 1_000_000_000L;

    private AvfPort(String name, AvfDevice device, AvfModel model, Wire wire, AvfSettings settings, int worker,
                    int ringSize) {
        if (worker < 0) {
            throw new IllegalArgumentException("worker must be >= 0, got " + worker);
        }
        this.name = name;
        this.device = device;
        this.model = model;
        this.wire = wire;
        this.driver = new AvfDriver(device, settings);
        this.worker = worker;
        this.maxFrame = settings.maxFrameSize();
        this.handoff = new FrameRing("avf-handoff-" + name, ringSize);
        this.status = new Status(device.name(), model != null, VfState.STOPPED, null, false, 0, 0, 0, 0, 0, 0);
    }

    /** A VF of real hardware (VFIO), driven by worker {@code worker}. */
    public static AvfPort onDevice(String name, AvfDevice device, AvfSettings settings, int worker, int ringSize) {
        return new AvfPort(name, device, null, null, settings, worker, ringSize);
    }

    /** The software model of a VF on {@code wire}, driven, and run, by worker {@code worker}. */
    public static AvfPort onModel(String name, AvfModel model, Wire wire, AvfSettings settings, int worker,
                                  int ringSize) {
        return new AvfPort(name, model, model, wire, settings, worker, ringSize);
    }

    public String name() {
        return name;
    }

    public int worker() {
        return worker;
    }

    public AvfDriver driver() {
        return driver;
    }

    /** The model's wire, or null for hardware. */
    public Wire wire() {
        return wire;
    }

    /**
     * How a worker that hands this VF packets wakes the owner, who may be asleep in epoll;
     * set once by the dataplane before its workers start.
     */
    public void wakes(Runnable wake) {
        this.wake = wake;
    }

    /** Wakes the owner after a handoff. */
    void wakeOwner() {
        Runnable w = wake;
        if (w != null) {
            w.run();
        }
    }

    /** The longest frame the VF sends (AvfSettings.maxFrameSize). */
    public int maxFrame() {
        return maxFrame;
    }

    /** Where the other workers put packets for this VF's transmit. */
    public FrameRing handoff() {
        return handoff;
    }

    /** Starts bring-up; the owner's polls carry it on. Call before the owner runs. */
    public void start(long nowNanos) {
        driver.start(nowNanos);
        state = driver.state();
        publish(nowNanos);
    }

    /** One round of the control path, on the owner: the model's work, then the driver's poll. */
    public void service(long nowNanos) {
        if (model != null) {
            model.service(nowNanos);
        }
        VfState s = driver.poll(nowNanos);
        if (s == VfState.FAILED) {
            if (failedAt < 0) {
                failedAt = nowNanos;
                failure = driver.failure();
            } else if (nowNanos - failedAt >= RETRY_NANOS) {
                failedAt = -1;
                restarts++;
                driver.start(nowNanos);
                s = driver.state();
            }
        } else {
            failedAt = -1;
        }
        if (s != state) {
            state = s;
            publish(nowNanos);
        } else if (nowNanos - nextPublish >= 0) {
            publish(nowNanos);
        }
    }

    /**
     * After a doorbell on the owner: the model sends at once what the driver handed it. Only
     * its transmit side runs: frames it took from the wire now would sit in receive
     * descriptors while the owner sleeps, with no fd to wake it.
     */
    public void transmitted(long nowNanos) {
        if (model != null) {
            model.serviceTransmit(nowNanos);
        }
    }

    /** The state as the owner last saw it; any thread. */
    public VfState state() {
        return state;
    }

    /** What {@code show interfaces} and {@code show health} say of the VF; any thread. */
    public Status status() {
        return status;
    }

    /**
     * A new {@link #status}, on the owner: once a second (the counters are the driver's plain
     * fields, summed here so no other thread reads them) and when the state changes.
     */
    private void publish(long nowNanos) {
        long rx = 0;
        long tx = 0;
        long rxDropped = 0;
        long txFull = 0;
        for (int q = 0; q < driver.control().queues(); q++) {
            AvfDriver.QueueCounters c = driver.counters(q);
            rx += c.rxPackets();
            tx += c.txPackets();
            rxDropped += c.rxErrors() + c.rxTooLong();
            txFull += c.txRingFull();
        }
        VfState s = state;
        status = new Status(device.name(), model != null, s, s == VfState.FAILED ? failure : null,
                s == VfState.RUNNING && driver.linkUp(), driver.queues(), restarts, rx, tx, rxDropped, txFull);
        nextPublish = nowNanos + PUBLISH_NANOS;
    }

    /**
     * @param device    the PCI address, or the model's name
     * @param model     whether it is the software model
     * @param failure   why the driver gave up, while {@link VfState#FAILED}
     * @param restarts  bring-ups after a failure
     */
    public record Status(String device, boolean model, VfState state, String failure, boolean linkUp, int queues,
                         long restarts, long rxPackets, long txPackets, long rxDropped, long txRingFull) {}

    /** Stops the driver at once and releases the device (and the model's wire). Owner stopped first. */
    @Override
    public void close() {
        try {
            driver.close();
        } finally {
            try {
                device.close();
            } finally {
                if (wire != null) {
                    wire.close();
                }
            }
        }
    }
}
