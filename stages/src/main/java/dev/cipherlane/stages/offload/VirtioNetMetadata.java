package dev.cipherlane.stages.offload;

import static dev.cipherlane.linux.VirtioNetHeader.F_DATA_VALID;
import static dev.cipherlane.linux.VirtioNetHeader.F_NEEDS_CSUM;
import static dev.cipherlane.linux.VirtioNetHeader.GSO_ECN;
import static dev.cipherlane.linux.VirtioNetHeader.GSO_NONE;
import static dev.cipherlane.linux.VirtioNetHeader.GSO_TCPV4;
import static dev.cipherlane.linux.VirtioNetHeader.GSO_TCPV6;
import static dev.cipherlane.linux.VirtioNetHeader.GSO_UDP;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.StageError;
import java.lang.foreign.MemorySegment;

/**
 * How the virtio-net header a tap opened with {@code IFF_VNET_HDR} puts in front of every
 * frame (virtio 1.1 section 5.1.6, {@code struct virtio_net_hdr}; its layout, flags and GSO
 * types are {@link VirtioNetHeader}) maps onto packet metadata. Tap input calls
 * {@link #parse}, tap output calls {@link #write}; the offload stages in between
 * ({@code gso}, {@code gro}) rely on this contract:
 *
 * <ul>
 * <li>{@code gsoType} holds the virtio gso_type byte ({@link VirtioNetHeader#GSO_TCPV4},
 *     {@link VirtioNetHeader#GSO_TCPV6}, {@link VirtioNetHeader#GSO_UDP}, possibly with
 *     {@link VirtioNetHeader#GSO_ECN}), {@code gsoSize} the segment payload size (the MSS);
 *     both are 0 for a packet that is not a super-packet.</li>
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
 * <p>Byte order: the 16-bit fields are little-endian, as {@link VirtioNetHeader}'s
 * accessors read and write them (see there for when that holds).
 *
 * <p>The 12-byte header ({@code TUNSETVNETHDRSZ} 12, {@link VirtioNetHeader#SIZE}) adds
 * num_buffers, which tun ignores on write and which means nothing to us on read: only the
 * first {@link VirtioNetHeader#LEGACY_SIZE} bytes are parsed or written.
 */
public final class VirtioNetMetadata {
    private VirtioNetMetadata() {}

    /** Result of {@link #parse} and {@link #write} when the header is good. */
    public static final int OK = -1;
    /**
     * What {@link #parse} and {@link #write} find wrong with a header, in code order: a code
     * is a constant's ordinal, and a stage counts the codes after its own errors
     * ({@code StageSpec.of(name, arcs, OwnErrors.class, VirtioNetMetadata.Errors.class)},
     * error index = its own error count + code).
     */
    public enum Errors implements StageError {
        /** gso_type is none of NONE, TCPV4, UDP, TCPV6 (on write: none of the last three for a super-packet). */
        GSO_TYPE_UNKNOWN("virtio-net gso type unknown"),
        /** A GSO type with gso_size 0 (no segment size to cut at), or on write a size past 16 bits. */
        GSO_SIZE_INVALID("virtio-net gso size invalid"),
        /** The ECN bit on GSO_NONE or UDP: it only means something for TCP (as Linux rules). */
        ECN_WITHOUT_TCP("virtio-net ecn without tcp gso"),
        /** NEEDS_CSUM with csum_start + csum_offset + 2 past the frame (or csumStart not storable). */
        CHECKSUM_BEYOND_PACKET("virtio-net checksum beyond packet"),
        /** hdr_len past the frame (Linux tun refuses the same). */
        HEADER_LENGTH_BEYOND_PACKET("virtio-net header length beyond packet"),
        /** write only: a super-packet whose checksum is not left partial cannot be offloaded. */
        GSO_WITHOUT_PARTIAL_CHECKSUM("virtio-net gso without partial checksum");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    // The codes parse and write return, as ints so the per-packet path allocates nothing.
    public static final int GSO_TYPE_UNKNOWN = Errors.GSO_TYPE_UNKNOWN.ordinal();
    public static final int GSO_SIZE_INVALID = Errors.GSO_SIZE_INVALID.ordinal();
    public static final int ECN_WITHOUT_TCP = Errors.ECN_WITHOUT_TCP.ordinal();
    public static final int CHECKSUM_BEYOND_PACKET = Errors.CHECKSUM_BEYOND_PACKET.ordinal();
    public static final int HEADER_LENGTH_BEYOND_PACKET = Errors.HEADER_LENGTH_BEYOND_PACKET.ordinal();
    public static final int GSO_WITHOUT_PARTIAL_CHECKSUM = Errors.GSO_WITHOUT_PARTIAL_CHECKSUM.ordinal();

    /**
     * Validates the header at {@code header} (an offset in {@link PacketMemory#data()}) for
     * the frame in {@code bi}, whose packet must start at the Ethernet header, and on success
     * sets {@code gsoType}, {@code gsoSize}, {@code csumStart}, {@code csumOffset} and the
     * NEEDS_CSUM / CSUM_VALID flags. Returns {@link #OK} or an error code; on error the
     * metadata is left untouched. Unknown flag bits are ignored, as Linux does.
     */
    public static int parse(PacketMemory mem, int bi, long header) {
        MemorySegment data = mem.data();
        int flags = VirtioNetHeader.flags(data, header);
        int type = VirtioNetHeader.gsoType(data, header);
        int hdrLen = VirtioNetHeader.headerLength(data, header);
        int gsoSize = VirtioNetHeader.gsoSize(data, header);
        int csumStart = VirtioNetHeader.csumStart(data, header);
        int csumOffset = VirtioNetHeader.csumOffset(data, header);
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
        return write(mem, bi, mem.data(), header);
    }

    /**
     * {@link #write(PacketMemory, int, long)} with the header going to {@code header} in
     * {@code target} rather than into packet memory: an AF_PACKET tx ring slot, where the
     * header sits right before the frame.
     */
    public static int write(PacketMemory mem, int bi, MemorySegment target, long header) {
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

        VirtioNetHeader.set(target, header, vflags, type, hdrLen, type == GSO_NONE ? 0 : gsoSize,
                csumStart, csumOffset);
        return OK;
    }
}
