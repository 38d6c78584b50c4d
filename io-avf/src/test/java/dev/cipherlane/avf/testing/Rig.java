package dev.cipherlane.avf.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.avf.driver.AvfDriver;
import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.MemoryWire;
import dev.cipherlane.avf.model.ModelSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A driver, a model and an in-memory wire on a fake clock. Each {@link #step()} advances
 * time by {@link #TICK}, lets the device work, then polls the driver: no threads, no
 * sleeps, and every wait is bounded by a step count.
 */
public final class Rig implements AutoCloseable {
    public static final long TICK = 100_000; // 0.1 ms
    public static final int FRAME_CAPACITY = 16 * 1024;

    public final MemoryWire wire;
    public final AvfModel model;
    public final AvfDriver driver;
    public long now = 1_000_000_000L;
    public long steps;
    private final Arena arena = Arena.ofShared();
    public final MemorySegment[] rxFrames;
    public final int[] rxLengths;
    public final int[] rxHashes;
    public final MemorySegment[] txFrames;
    public final int[] txLengths;

    public Rig(ModelSettings modelSettings, AvfSettings settings) {
        wire = new MemoryWire(4096);
        model = new AvfModel(wire, modelSettings);
        driver = new AvfDriver(model, settings);
        rxFrames = frames(256);
        rxLengths = new int[256];
        rxHashes = new int[256];
        txFrames = frames(256);
        txLengths = new int[256];
    }

    public Rig() {
        this(ModelSettings.DEFAULT, AvfSettings.DEFAULT);
    }

    private MemorySegment[] frames(int n) {
        MemorySegment all = arena.allocate((long) n * FRAME_CAPACITY, 64);
        MemorySegment[] frames = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            frames[i] = all.asSlice((long) i * FRAME_CAPACITY, FRAME_CAPACITY);
        }
        return frames;
    }

    public void step() {
        now += TICK;
        steps++;
        model.service(now);
        driver.poll(now);
    }

    /** Steps until {@code done} holds; false if {@code maxSteps} went by first. */
    public boolean runUntil(BooleanSupplier done, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            step();
        }
        return done.getAsBoolean();
    }

    /** Runs until the driver is running or failed, at most {@code maxSteps}. */
    public VfState settle(int maxSteps) {
        runUntil(() -> driver.state() == VfState.RUNNING || driver.state() == VfState.FAILED, maxSteps);
        return driver.state();
    }

    public Rig bringUp() {
        driver.start(now);
        VfState s = settle(20_000);
        assertEquals(VfState.RUNNING, s, () -> "bring-up: " + driver.failure() + " " + driver.log());
        return this;
    }

    /** Runs for {@code duration} nanoseconds of fake time. */
    public void runFor(long duration) {
        long until = now + duration;
        while (now < until) {
            step();
        }
    }

    /** Puts {@code frame} in transmit slot {@code i}. */
    public void txFrame(int i, byte[] frame) {
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, txFrames[i], 0, frame.length);
        txLengths[i] = frame.length;
    }

    public byte[] rxFrame(int i) {
        return rxFrames[i].asSlice(0, rxLengths[i]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        driver.close();
        model.close();
        wire.close();
        arena.close();
    }
}
