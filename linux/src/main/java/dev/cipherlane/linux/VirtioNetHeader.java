package dev.cipherlane.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The virtio-net header a tap with IFF_VNET_HDR puts before every frame it hands us and
 * expects before every frame we write (include/uapi/linux/virtio_net.h; virtio 1.1 spec
 * section 5.1.6 "Device Operation"):
 *
 * <pre>
 * off size field
 *  0   1   flags        NEEDS_CSUM: finish the checksum at csum_start + csum_offset
 *  1   1   gso_type     NONE, TCPV4, TCPV6, UDP_L4 (+ ECN bit): a super-packet to segment
 *  2   2   hdr_len      bytes of headers in front of the payload
 *  4   2   gso_size     payload bytes per segment (the MSS)
 *  6   2   csum_start   where checksumming starts, from the frame's first byte
 *  8   2   csum_offset  where the checksum goes, from csum_start
 * 10   2   num_buffers  (12-byte header only) always 1 from/to a tap
 * </pre>
 *
 * The 16-bit fields are in the tap's vnet byte order: the host's for a legacy header
 * ("virtio16"), little-endian after TUNSETVNETLE, big-endian after TUNSETVNETBE; virtio 1.0
 * devices are little-endian. On the little-endian machines we run on (x86_64, aarch64)
 * both are little-endian, which is what these accessors use. A big-endian host would have
 * to set TUNSETVNETLE.
 *
 * <p>This class is the layout only. How the header maps onto packet metadata is
 * {@code dev.cipherlane.stages.offload.VirtioNetMetadata}.
 */
public final class VirtioNetHeader {
    private VirtioNetHeader() {}

    /**
     * struct virtio_net_hdr_mrg_rxbuf: the virtio 1.0 header, num_buffers included
     * ({@code TUNSETVNETHDRSZ 12}).
     */
    public static final int SIZE = 12;
    /**
     * struct virtio_net_hdr without num_buffers, the tap's default: the fields every header
     * has, the first {@value} bytes of a {@link #SIZE}-byte one.
     */
    public static final int LEGACY_SIZE = 10;

    // Field offsets from the header's first byte (see the table above).
    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;
    /** Only in a {@link #SIZE}-byte header. */
    public static final int NUM_BUFFERS = 10;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** The TCP super-packet carries CWR; segmentation must keep it on the first segment only. */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(ByteOrder.LITTLE_ENDIAN);

    public static int flags(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + FLAGS));
    }

    public static int gsoType(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + GSO_TYPE));
    }

    public static int headerLength(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + HDR_LEN));
    }

    public static int gsoSize(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + GSO_SIZE));
    }

    public static int csumStart(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + CSUM_START));
    }

    public static int csumOffset(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + CSUM_OFFSET));
    }

    /** A header saying "a complete frame, nothing to do": all zero ({@code size} 10 or 12). */
    public static void clear(MemorySegment s, long at, int size) {
        s.asSlice(at, size).fill((byte) 0);
    }

    /**
     * Fills in the first 10 bytes of a header (a 12-byte header's num_buffers is left as it
     * is; the tap ignores it on frames we write).
     */
    public static void set(MemorySegment s, long at, int flags, int gsoType, int headerLength, int gsoSize,
                           int csumStart, int csumOffset) {
        s.set(ValueLayout.JAVA_BYTE, at + FLAGS, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, at + GSO_TYPE, (byte) gsoType);
        s.set(LE16, at + HDR_LEN, (short) headerLength);
        s.set(LE16, at + GSO_SIZE, (short) gsoSize);
        s.set(LE16, at + CSUM_START, (short) csumStart);
        s.set(LE16, at + CSUM_OFFSET, (short) csumOffset);
    }
}
