package dev.cipherlane.stages.buffer;

/**
 * The two buffer sizes. Small buffers hold one MTU-sized frame with room in front for
 * encapsulation; large buffers hold a GSO/GRO super-packet of up to 64 KB plus headers.
 */
public enum SizeClass {
    SMALL(2048),
    LARGE(69632);

    /** Bytes per buffer, headroom included. */
    public final int bytes;

    SizeClass(int bytes) {
        this.bytes = bytes;
    }
}
