package dev.cipherlane.avf.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A wire in memory for tests: frames injected are received by the device, frames the
 * device sends are kept until taken. Both directions are fixed rings of slots carved from
 * one segment, so moving frames allocates nothing; with {@code loopback} every frame sent
 * comes straight back in. A full ring drops the frame and counts it, like a real wire.
 */
public final class MemoryWire implements Wire {
    public static final int SLOT_SIZE = 16 * 1024;

    private final Arena arena = Arena.ofShared();
    private final Slots inbound;
    private final Slots outbound;
    private boolean loopback;
    private long dropped;

    public MemoryWire(int slots) {
        inbound = new Slots(arena, slots);
        outbound = new Slots(arena, slots);
    }

    public MemoryWire() {
        this(1024);
    }

    /** Sent frames come back as received ones instead of being kept. */
    public MemoryWire loopback(boolean on) {
        loopback = on;
        return this;
    }

    /** A frame arrives from the network; false when the device's side is full. */
    public boolean inject(byte[] frame) {
        return inject(MemorySegment.ofArray(frame), frame.length);
    }

    public boolean inject(MemorySegment frame, int length) {
        if (!inbound.put(frame, length)) {
            dropped++;
            return false;
        }
        return true;
    }

    /** The oldest frame the device sent, or null. */
    public byte[] take() {
        return outbound.take();
    }

    public int sentWaiting() {
        return outbound.count;
    }

    public int receivedWaiting() {
        return inbound.count;
    }

    public long dropped() {
        return dropped;
    }

    @Override
    public int receive(MemorySegment into) {
        return inbound.poll(into);
    }

    @Override
    public void transmit(MemorySegment from, int length) {
        Slots to = loopback ? inbound : outbound;
        if (!to.put(from, length)) {
            dropped++;
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A ring of fixed-size slots holding one frame each. */
    private static final class Slots {
        final MemorySegment memory;
        final int[] lengths;
        int head;
        int count;

        Slots(Arena arena, int slots) {
            memory = arena.allocate((long) slots * SLOT_SIZE, 64);
            lengths = new int[slots];
        }

        boolean put(MemorySegment from, int length) {
            if (count == lengths.length || length > SLOT_SIZE) {
                return false;
            }
            int slot = (head + count) % lengths.length;
            MemorySegment.copy(from, 0, memory, (long) slot * SLOT_SIZE, length);
            lengths[slot] = length;
            count++;
            return true;
        }

        int poll(MemorySegment into) {
            if (count == 0) {
                return -1;
            }
            int length = lengths[head];
            MemorySegment.copy(memory, (long) head * SLOT_SIZE, into, 0, length);
            head = (head + 1) % lengths.length;
            count--;
            return length;
        }

        byte[] take() {
            if (count == 0) {
                return null;
            }
            byte[] frame = new byte[lengths[head]];
            MemorySegment.copy(memory, (long) head * SLOT_SIZE, MemorySegment.ofArray(frame), 0, frame.length);
            head = (head + 1) % lengths.length;
            count--;
            return frame;
        }
    }
}
