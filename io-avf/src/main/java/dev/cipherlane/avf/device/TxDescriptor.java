package dev.cipherlane.avf.device;

import java.lang.foreign.MemorySegment;

/**
 * The 16-byte transmit data descriptor (AVF 1.0 §2.2.2.2 pg22): buffer address, then one
 * quadword with the descriptor type, command, header offsets, buffer size and L2 tag.
 * When the command has RS, the device reports completion by rewriting that descriptor's
 * type to {@link #DTYPE_DESC_DONE}; everything before it in the ring is done too.
 *
 * <pre>
 * qword 1: bits 0..3 DTYPE, 4..13 CMD, 14..15 reserved, 16..33 offsets (MACLEN, IPLEN,
 *          L4LEN), 34..47 buffer size, 48..63 L2TAG1
 * </pre>
 */
public final class TxDescriptor {
    private TxDescriptor() {}

    public static final int SIZE = 16;

    public static final int BUFFER_ADDRESS = 0;
    public static final int QWORD1 = 8;

    public static final long DTYPE_MASK = 0xF;
    public static final int DTYPE_DATA = 0x0;
    public static final int DTYPE_CONTEXT = 0x1;
    /** Written back by the device on a descriptor with RS once it is done with it. */
    public static final int DTYPE_DESC_DONE = 0xF;

    public static final int CMD_SHIFT = 4;
    /** End of packet: the last descriptor of a frame. */
    public static final long CMD_EOP = 0x1L << CMD_SHIFT;
    /** Report status: write back DESC_DONE when done. */
    public static final long CMD_RS = 0x2L << CMD_SHIFT;
    /** Insert the Ethernet FCS; the driver hands over frames without one. */
    public static final long CMD_ICRC = 0x4L << CMD_SHIFT;
    /** Insert L2TAG1 (a VLAN tag) from bits 48..63. */
    public static final long CMD_IL2TAG1 = 0x8L << CMD_SHIFT;

    public static final int OFFSET_SHIFT = 16;
    public static final int BUFFER_SIZE_SHIFT = 34;
    public static final long BUFFER_SIZE_MASK = 0x3FFF;
    public static final int L2TAG1_SHIFT = 48;

    /** The most bytes one data descriptor can carry (a 14-bit size). */
    public static final int MAX_BUFFER = 0x3FFF;
    /** A frame (without TSO) may span at most this many data descriptors. */
    public static final int MAX_DESCRIPTORS_PER_FRAME = 8;

    private static long at(int index) {
        return (long) index * SIZE;
    }

    public static void write(MemorySegment ring, int i, long iova, long qword1) {
        Le.u64(ring, at(i) + BUFFER_ADDRESS, iova);
        Le.u64(ring, at(i) + QWORD1, qword1);
    }

    public static long bufferAddress(MemorySegment ring, int i) {
        return Le.u64(ring, at(i) + BUFFER_ADDRESS);
    }

    public static long qword1(MemorySegment ring, int i) {
        return Le.u64(ring, at(i) + QWORD1);
    }

    public static void qword1(MemorySegment ring, int i, long qword1) {
        Le.u64(ring, at(i) + QWORD1, qword1);
    }

    /** A data descriptor's qword 1: {@code size} bytes with command bits {@code cmd}. */
    public static long data(int size, long cmd) {
        return DTYPE_DATA | cmd | (size & BUFFER_SIZE_MASK) << BUFFER_SIZE_SHIFT;
    }

    public static int type(long qword1) {
        return (int) (qword1 & DTYPE_MASK);
    }

    public static int bufferSize(long qword1) {
        return (int) (qword1 >>> BUFFER_SIZE_SHIFT & BUFFER_SIZE_MASK);
    }

    public static boolean done(MemorySegment ring, int i) {
        return type(qword1(ring, i)) == DTYPE_DESC_DONE;
    }
}
