package dev.cipherlane.stages.buffer;

/**
 * Offsets of the fixed per-buffer metadata record. One record of {@link #SIZE} bytes per
 * buffer, kept apart from packet data so a frame's metadata shares cache lines.
 * Accessors live in {@link PacketMemory}; these constants are the layout.
 */
public final class Meta {
    private Meta() {}

    public static final int SIZE = 64;

    /** Offset of the first packet byte from the start of the buffer. */
    public static final int DATA_OFFSET = 0;
    /** Packet length in bytes from DATA_OFFSET. */
    public static final int LENGTH = 4;
    /** {@link PacketFlags} bits. */
    public static final int FLAGS = 8;
    public static final int RX_INTERFACE = 12;
    public static final int TX_INTERFACE = 16;
    /** Adjacency chosen by lookup (or another next-hop id a stage agrees on). */
    public static final int NEXT_HOP = 20;
    public static final int FLOW_HASH = 24;
    /** Segment size for GSO super-packets; 0 when not a super-packet. */
    public static final int GSO_SIZE = 28;
    /** L3 header offset, relative to the buffer start (not to DATA_OFFSET). */
    public static final int L3_OFFSET = 32;
    /** L4 header offset, relative to the buffer start. */
    public static final int L4_OFFSET = 36;
    public static final int SA_INDEX = 40;
    /** Last error code a stage set (drop reason). */
    public static final int ERROR = 44;
    /** Index of this packet's trace record, or -1. */
    public static final int TRACE = 48;
    /** virtio-net checksum start and offset, as the tap hands them to us. */
    public static final int CSUM_START = 52;
    public static final int CSUM_OFFSET = 54;
    /** virtio-net GSO type byte. */
    public static final int GSO_TYPE = 56;
    /** Free for the stage that owns the packet at the moment. */
    public static final int OPAQUE = 60;
}
