package dev.cipherlane.avf.model;

import java.lang.foreign.MemorySegment;

/**
 * The network side of the model: where received frames come from and transmitted ones go.
 * Frames are Ethernet frames without FCS. Both calls must not allocate, so the data path
 * stays allocation-free end to end; an AF_PACKET back end maps them onto recv and send
 * on a packet socket.
 */
public interface Wire extends AutoCloseable {

    /**
     * Copies the next frame arriving for the device into {@code into} from offset 0.
     *
     * @return its length, or -1 when no frame is waiting
     */
    int receive(MemorySegment into);

    /** The device sends {@code from[0, length)}. */
    void transmit(MemorySegment from, int length);

    /**
     * The end of one round of transmits ({@link AvfModel#service}): a back end that batches
     * (a packet socket's tx ring, one kick per round) sends what it holds.
     */
    default void flush() {}

    @Override
    default void close() {}
}
