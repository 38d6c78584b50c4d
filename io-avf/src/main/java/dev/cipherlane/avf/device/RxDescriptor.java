package dev.cipherlane.avf.device;

import java.lang.foreign.MemorySegment;

/**
 * The 32-byte receive descriptor. The driver writes it in read format (AVF 1.0
 * §2.1.2.1.2 pg12: packet buffer address, header buffer address); the device overwrites
 * it in write-back format (§2.1.2.2.2 pg16) once the buffer holds data. Writing the read
 * format clears the word where the device puts DD, so a reposted descriptor can never
 * look done.
 *
 * <pre>
 * write-back qword 0: bits 0..15 mirroring status, 16..31 L2TAG1, 32..63 RSS hash
 * write-back qword 1: bits 0..18 status, 19..26 error, 30..37 packet type,
 *                     38..51 packet buffer length, 52..62 header length, 63 SPH
 * </pre>
 */
public final class RxDescriptor {
    private RxDescriptor() {}

    public static final int SIZE = 32;

    // Read format.
    public static final int PACKET_ADDRESS = 0;
    public static final int HEADER_ADDRESS = 8;

    // Write-back format.
    public static final int QWORD0 = 0;
    public static final int RSS_HASH = 4;
    public static final int QWORD1 = 8;
    public static final int QWORD2 = 16;
    public static final int QWORD3 = 24;

    // Status bits of qword 1.
    public static final long STATUS_DD = 1L;
    public static final long STATUS_EOP = 1L << 1;
    public static final long STATUS_L2TAG1P = 1L << 2;
    public static final long STATUS_L3L4P = 1L << 3;
    public static final long STATUS_CRCP = 1L << 4;
    public static final int FLTSTAT_SHIFT = 12;
    public static final long FLTSTAT_MASK = 3L << FLTSTAT_SHIFT;
    /** FLTSTAT value saying qword 0 holds the RSS hash. */
    public static final int FLTSTAT_RSS_HASH = 3;

    // Error bits of qword 1 (valid on the EOP descriptor).
    public static final int ERROR_SHIFT = 19;
    /** MAC error: CRC, length or alignment. The frame is bad. */
    public static final long ERROR_RXE = 1L << 19;
    /** Header buffer overflow. */
    public static final long ERROR_HBO = 1L << 21;
    /** IPv4 header checksum error. */
    public static final long ERROR_IPE = 1L << 22;
    /** L4 checksum error. */
    public static final long ERROR_L4E = 1L << 23;
    /** Outer IPv4 checksum error. */
    public static final long ERROR_EIPE = 1L << 24;
    /** The packet is longer than the queue's maximum packet size. */
    public static final long ERROR_OVERSIZE = 1L << 25;
    /** Errors that make the frame unusable; checksum errors are left to the stack. */
    public static final long ERRORS_FATAL = ERROR_RXE | ERROR_HBO | ERROR_OVERSIZE;

    public static final int PTYPE_SHIFT = 30;
    public static final int LENGTH_SHIFT = 38;
    public static final long LENGTH_MASK = 0x3FFF;

    private static long at(int index) {
        return (long) index * SIZE;
    }

    /** Hands descriptor {@code i} to the device with a buffer at {@code iova}; no header split. */
    public static void post(MemorySegment ring, int i, long iova) {
        Le.u64(ring, at(i) + PACKET_ADDRESS, iova);
        Le.u64(ring, at(i) + HEADER_ADDRESS, 0);
    }

    public static long packetAddress(MemorySegment ring, int i) {
        return Le.u64(ring, at(i) + PACKET_ADDRESS);
    }

    public static long qword1(MemorySegment ring, int i) {
        return Le.u64(ring, at(i) + QWORD1);
    }

    public static int rssHash(MemorySegment ring, int i) {
        return Le.u32(ring, at(i) + RSS_HASH);
    }

    /** The device's write-back: all four quadwords. */
    public static void writeBack(MemorySegment ring, int i, int rssHash, long qword1) {
        Le.u64(ring, at(i) + QWORD0, (rssHash & 0xFFFF_FFFFL) << 32);
        Le.u64(ring, at(i) + QWORD1, qword1);
        Le.u64(ring, at(i) + QWORD2, 0);
        Le.u64(ring, at(i) + QWORD3, 0);
    }

    public static boolean done(long qword1) {
        return (qword1 & STATUS_DD) != 0;
    }

    public static boolean endOfPacket(long qword1) {
        return (qword1 & STATUS_EOP) != 0;
    }

    public static int length(long qword1) {
        return (int) (qword1 >>> LENGTH_SHIFT & LENGTH_MASK);
    }

    public static boolean rssValid(long qword1) {
        return (qword1 & FLTSTAT_MASK) >>> FLTSTAT_SHIFT == FLTSTAT_RSS_HASH;
    }

    /** The write-back qword 1 for a buffer of {@code length} bytes. */
    public static long status(int length, boolean endOfPacket, boolean rss) {
        long q = STATUS_DD | (length & LENGTH_MASK) << LENGTH_SHIFT;
        if (endOfPacket) {
            q |= STATUS_EOP;
        }
        if (rss) {
            q |= (long) FLTSTAT_RSS_HASH << FLTSTAT_SHIFT;
        }
        return q;
    }
}
