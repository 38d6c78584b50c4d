package dev.cipherlane.stages.wire;

import dev.cipherlane.stages.buffer.Net;
import java.lang.foreign.MemorySegment;

/**
 * IPv6 header layout (RFC 8200 section 3), the extension headers the stages step over
 * (section 4) and the address classes they refuse. Offsets are from the first byte of the
 * IPv6 header.
 */
public final class Ip6 {
    private Ip6() {}

    public static final int VERSION_CLASS_FLOW = 0;
    public static final int PAYLOAD_LENGTH = 4;
    public static final int NEXT_HEADER = 6;
    public static final int HOP_LIMIT = 7;
    public static final int SOURCE = 8;
    public static final int DESTINATION = 24;
    public static final int HEADER = 40;

    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int AUTH = 51;
    public static final int DESTINATION_OPTIONS = 60;

    /** Extension headers stepped over before giving up and calling the rest payload. */
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** Bit of a {@link #walk} result: a Fragment header was stepped over. */
    public static final int WALK_FRAGMENT = 1 << 24;
    /** Bit of a {@link #walk} result: that Fragment header has a non-zero offset. */
    public static final int WALK_LATER_FRAGMENT = 1 << 25;

    /**
     * Steps over the extension headers that have the generic length layout (Hop-by-Hop,
     * Routing, Destination Options; RFC 8200 section 4), Fragment (fixed 8 bytes) and AH
     * (RFC 4302 section 2.2: length in 4-byte units minus 2). Stops at any other next-header
     * value (upper layer, ESP, No Next Header) or after {@link #MAX_EXTENSION_HEADERS}
     * headers, leaving the rest as payload: a deliberate limit, the forwarding path needs the
     * chain only for the flow hash and ICMPv6 error rules.
     *
     * <p>Returns, packed in an int, the offset where the walk stopped (low 16 bits, from the
     * IPv6 header), the next-header value found there (bits 16-23) and the
     * {@link #WALK_FRAGMENT}/{@link #WALK_LATER_FRAGMENT} bits; or -1 when a header runs past
     * {@code length}. Eight headers of at most 2048 bytes each end well below 65536, so the
     * offset always fits its 16 bits.
     */
    public static int walk(MemorySegment data, long ip, int length) {
        int next = Byte.toUnsignedInt(data.get(Net.U8, ip + NEXT_HEADER));
        int at = HEADER;
        int fragment = 0;
        for (int i = 0; i < MAX_EXTENSION_HEADERS; i++) {
            int size;
            if (next == HOP_BY_HOP || next == ROUTING || next == DESTINATION_OPTIONS) {
                if (at + 2 > length) {
                    return -1;
                }
                size = (Byte.toUnsignedInt(data.get(Net.U8, ip + at + 1)) + 1) * 8;
            } else if (next == FRAGMENT) {
                size = 8;
                if (at + size > length) {
                    return -1;
                }
                fragment |= WALK_FRAGMENT;
                if ((data.get(Net.U16, ip + at + 2) & 0xFFF8) != 0) {
                    fragment |= WALK_LATER_FRAGMENT;
                }
            } else if (next == AUTH) {
                if (at + 2 > length) {
                    return -1;
                }
                size = (Byte.toUnsignedInt(data.get(Net.U8, ip + at + 1)) + 2) * 4;
            } else {
                break;
            }
            if (at + size > length) {
                return -1;
            }
            next = Byte.toUnsignedInt(data.get(Net.U8, ip + at));
            at += size;
        }
        return at | (next << 16) | fragment;
    }

    public static int walkOffset(int walk) {
        return walk & 0xFFFF;
    }

    public static int walkNextHeader(int walk) {
        return (walk >>> 16) & 0xFF;
    }

    /** ff00::/8 (RFC 4291 section 2.7). */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xFF;
    }

    /** :: (RFC 4291 section 2.5.2). */
    public static boolean isUnspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    /** ::1 (RFC 4291 section 2.5.3). */
    public static boolean isLoopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    /** fe80::/10 (RFC 4291 section 2.5.6). */
    public static boolean isLinkLocal(long hi) {
        return (hi >>> 54) == (0xFE80L >>> 6);
    }
}
