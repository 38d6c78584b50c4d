package dev.cipherlane.stages.offload;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The virtio-net header a tap opened with {@code IFF_VNET_HDR} puts in front of every frame
 * (virtio 1.1 section 5.1.6, {@code struct virtio_net_hdr}), and how it maps onto packet
 * metadata. Tap input calls {@link #parse}, tap output calls {@link #write}; the offload
 * stages in between ({@code gso}, {@code gro}) rely on this contract:
 *
 * <ul>
 * <li>{@code gsoType} holds the virtio gso_type byte ({@link #GSO_TCPV4}, {@link #GSO_TCPV6},
 *     {@link #GSO_UDP}, possibly with {@link #GSO_ECN}), {@code gsoSize} the segment payload
 *     size (the MSS); both are 0 for a packet that is not a super-packet.</li>
 * <li>{@link PacketFlags#NEEDS_CSUM}: the L4 checksum field holds the folded, not complemented,
 *     pseudo-header sum; whoever completes it sums {@code [csumStart, end of packet)} and
 *     stores the complement at {@code csumStart + csumOffset}.</li>
 * <li>{@code csumStart} is relative to the buffer base, not to the packet start: parse stores
 *     {@code dataOffset + csum_start}, so stages may strip the Ethernet header or push
 *     encapsulation and the value stays right. It fits the 16-bit field because csum_start
 *     lies within the headers (parse refuses a value that would not fit).</li>
 * <li>{@link PacketFlags#CSUM_VALID}: the sender vouches for the L4 checksum (DATA_VALID).</li>
 * <li>{@link #write} turns the same metadata back into a header relative to the packet start
 *     at that moment, which must again be the Ethernet header.</li>
 * </ul>
 *
 * <p>Byte order: the 16-bit fields are little-endian. tun reads and writes them in the
 * host's order ("virtio16") unless {@code TUNSETVNETBE} is set, and virtio 1.0 devices are
 * little-endian; this holds on x86-64 and little-endian arm64, the only hosts we run on. A
 * big-endian host would have to set {@code TUNSETVNETLE}.
 *
 * <p>The 12-byte header ({@code TUNSETVNETHDRSZ} 12) adds num_buffers, which tun ignores
 * on write and which means nothing to us on read: only the first {@link #SIZE} bytes are
 * parsed or written.
 */
public final class VirtioNetHeader {
    private VirtioNetHeader() {}

    /** Bytes parsed and written: {@code struct virtio_net_hdr} without num_buffers. */
    public static final int SIZE = 10;
    /** Header size with num_buffers ({@code struct virtio_net_hdr_mrg_rxbuf}). */
    public static final int SIZE_WITH_NUM_BUFFERS = 12;

    public static final int FLAGS = 0;
    public static final int GSO_TYPE = 1;
    public static final int HDR_LEN = 2;
    public static final int GSO_SIZE = 4;
    public static final int CSUM_START = 6;
    public static final int CSUM_OFFSET = 8;
    public static final int NUM_BUFFERS = 10;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** The TCP super-packet carries CWR; segmentation must keep it on the first segment only. */
    public static final int GSO_ECN = 0x80;

    /** Result of {@link #parse} and {@link #write} when the header is good. */
    public static final int OK = -1;
    /** gso_type is none of NONE, TCPV4, UDP, TCPV6 (on write: none of the last three for a super-packet). */
    public static final int GSO_TYPE_UNKNOWN = 0;
    /** A GSO type with gso_size 0 (no segment size to cut at), or on write a size past 16 bits. */
    public static final int GSO_SIZE_INVALID = 1;
    /** The ECN bit on GSO_NONE or UDP: it only means something for TCP (as Linux rules). */
    public static final int ECN_WITHOUT_TCP = 2;
    /** NEEDS_CSUM with csum_start + csum_offset + 2 past the frame (or csumStart not storable). */
    public static final int CHECKSUM_BEYOND_PACKET = 3;
    /** hdr_len past the frame (Linux tun refuses the same). */
    public static final int HEADER_LENGTH_BEYOND_PACKET = 4;
    /** write only: a super-packet whose checksum is not left partial cannot be offloaded. */
    public static final int GSO_WITHOUT_PARTIAL_CHECKSUM = 5;

    /**
     * Names of the codes above, in code order, for a stage to put in its error list
     * (error index = its own base + code).
     */
    public static final List<String> ERRORS = List.of(
            "virtio-net gso type unknown",
            "virtio-net gso size invalid",
            "virtio-net ecn without tcp gso",
            "virtio-net checksum beyond packet",
            "virtio-net header length beyond packet",
            "virtio-net gso without partial checksum");

    private static final ValueLayout.OfShort LE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Validates the header at {@code header} (an offset in {@link PacketMemory#data()}) for
     * the frame in {@code bi}, whose packet must start at the Ethernet header, and on success
     * sets {@code gsoType}, {@code gsoSize}, {@code csumStart}, {@code csumOffset} and the
     * NEEDS_CSUM / CSUM_VALID flags. Returns {@link #OK} or an error code; on error the
     * metadata is left untouched. Unknown flag bits are ignored, as Linux does.
     */
    public static int parse(PacketMemory mem, int bi, long header) {
        MemorySegment data = mem.data();
        int flags = Byte.toUnsignedInt(data.get(Net.U8, header + FLAGS));
        int type = Byte.toUnsignedInt(data.get(Net.U8, header + GSO_TYPE));
        int hdrLen = Short.toUnsignedInt(data.get(LE16, header + HDR_LEN));
        int gsoSize = Short.toUnsignedInt(data.get(LE16, header + GSO_SIZE));
        int csumStart = Short.toUnsignedInt(data.get(LE16, header + CSUM_START));
        int csumOffset = Short.toUnsignedInt(data.get(LE16, header + CSUM_OFFSET));
        int length = mem.length(bi);

        int base = type & ~GSO_ECN;
        if (base != GSO_NONE && base != GSO_TCPV4 && base != GSO_TCPV6 && base != GSO_UDP) {
            return GSO_TYPE_UNKNOWN;
        }
        if ((type & GSO_ECN) != 0 && base != GSO_TCPV4 && base != GSO_TCPV6) {
            return ECN_WITHOUT_TCP;
        }
        if (base != GSO_NONE && gsoSize == 0) {
            return GSO_SIZE_INVALID;
        }
        if (hdrLen > length) {
            return HEADER_LENGTH_BEYOND_PACKET;
        }
        boolean partial = (flags & F_NEEDS_CSUM) != 0;
        int start = mem.dataOffset(bi) + csumStart;
        if (partial && (csumStart + csumOffset + 2 > length || start > 0xFFFF)) {
            return CHECKSUM_BEYOND_PACKET;
        }

        int f = mem.flags(bi) & ~(PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID);
        if (partial) {
            // NEEDS_CSUM wins over DATA_VALID: the checksum field is not final yet.
            f |= PacketFlags.NEEDS_CSUM;
            mem.csumStart(bi, start);
            mem.csumOffset(bi, csumOffset);
        } else {
            if ((flags & F_DATA_VALID) != 0) {
                f |= PacketFlags.CSUM_VALID;
            }
            mem.csumStart(bi, 0);
            mem.csumOffset(bi, 0);
        }
        mem.flags(bi, f);
        // gso_size means nothing without a GSO type (Linux ignores it too); keep it 0 then.
        mem.gsoType(bi, base == GSO_NONE ? GSO_NONE : type);
        mem.gsoSize(bi, base == GSO_NONE ? 0 : gsoSize);
        return OK;
    }

    /**
     * Writes the header for the frame in {@code bi} (its packet starting at the Ethernet
     * header) at {@code header}. NEEDS_CSUM becomes F_NEEDS_CSUM with csum_start relative to
     * the packet start; CSUM_VALID becomes F_DATA_VALID, a hint tun may ignore (the kernel
     * then verifies the checksum itself). A super-packet ({@code gsoSize > 0}) gets its type,
     * gso_size and hdr_len = csum_start plus the TCP (or UDP) header. Returns {@link #OK} or an
     * error code, writing nothing on error.
     */
    public static int write(PacketMemory mem, int bi, long header) {
        MemorySegment data = mem.data();
        int length = mem.length(bi);
        int flags = mem.flags(bi);
        int vflags = 0;
        int csumStart = 0;
        int csumOffset = 0;
        boolean partial = (flags & PacketFlags.NEEDS_CSUM) != 0;
        if (partial) {
            csumStart = mem.csumStart(bi) - mem.dataOffset(bi);
            csumOffset = mem.csumOffset(bi);
            if (csumStart < 0 || csumStart + csumOffset + 2 > length) {
                return CHECKSUM_BEYOND_PACKET;
            }
            vflags = F_NEEDS_CSUM;
        } else if ((flags & PacketFlags.CSUM_VALID) != 0) {
            vflags = F_DATA_VALID;
        }

        int gsoSize = mem.gsoSize(bi);
        int type = GSO_NONE;
        int hdrLen = 0;
        if (gsoSize > 0) {
            type = mem.gsoType(bi);
            int base = type & ~GSO_ECN;
            boolean tcp = base == GSO_TCPV4 || base == GSO_TCPV6;
            if ((type & ~0xFF) != 0 || (!tcp && base != GSO_UDP)) {
                return GSO_TYPE_UNKNOWN;
            }
            if (!tcp && (type & GSO_ECN) != 0) {
                return ECN_WITHOUT_TCP;
            }
            if (gsoSize > 0xFFFF) {
                return GSO_SIZE_INVALID;
            }
            if (!partial) {
                return GSO_WITHOUT_PARTIAL_CHECKSUM;
            }
            if (tcp) {
                if (csumStart + Tcp.MIN_HEADER > length) {
                    return HEADER_LENGTH_BEYOND_PACKET;
                }
                hdrLen = csumStart + Tcp.headerLength(data, mem.start(bi) + csumStart);
            } else {
                hdrLen = csumStart + 8;
            }
            if (hdrLen > length) {
                return HEADER_LENGTH_BEYOND_PACKET;
            }
        }

        data.set(Net.U8, header + FLAGS, (byte) vflags);
        data.set(Net.U8, header + GSO_TYPE, (byte) type);
        data.set(LE16, header + HDR_LEN, (short) hdrLen);
        data.set(LE16, header + GSO_SIZE, (short) (type == GSO_NONE ? 0 : gsoSize));
        data.set(LE16, header + CSUM_START, (short) csumStart);
        data.set(LE16, header + CSUM_OFFSET, (short) csumOffset);
        return OK;
    }
}
