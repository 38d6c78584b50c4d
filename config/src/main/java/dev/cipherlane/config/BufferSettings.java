package dev.cipherlane.config;

/**
 * How many buffers each pool holds. Sizes are fixed by the buffer layout, counts are
 * configured: memory is reserved once at start, never grown under load.
 *
 * @param small dataplane.buffers.small, count of {@value #SMALL_BUFFER_BYTES}-byte buffers
 * @param large dataplane.buffers.large, count of {@value #LARGE_BUFFER_BYTES}-byte buffers
 */
public record BufferSettings(int small, int large) {

    /** Holds an MTU-sized frame plus headroom for encapsulation. */
    public static final int SMALL_BUFFER_BYTES = 2048;
    /** Holds a GSO/GRO super-packet of up to 64 KB. */
    public static final int LARGE_BUFFER_BYTES = 65536;

    public static final int MIN_SMALL = 1024;
    public static final int MAX_SMALL = 4_194_304;
    public static final int MAX_LARGE = 65536;

    public BufferSettings {
        Bounds.check("buffers.small", small, MIN_SMALL, MAX_SMALL);
        Bounds.check("buffers.large", large, 0, MAX_LARGE);
    }

    /** Off-heap bytes both pools reserve, for start-up logs and admission checks. */
    public long reservedBytes() {
        return (long) small * SMALL_BUFFER_BYTES + (long) large * LARGE_BUFFER_BYTES;
    }
}
