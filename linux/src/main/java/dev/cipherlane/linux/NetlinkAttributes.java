package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attributes (rtattr / nlattr TLVs) of one message or of one nested attribute, indexed
 * by type. Built while walking a reply, so it allocates; replies are control-path traffic.
 * When a type occurs more than once the last one counts; types are masked with
 * {@link Netlink#NLA_TYPE_MASK} (the nested and byte-order bits dropped). The values are
 * read from the receive buffer on demand: take what you need before the next datagram
 * arrives in it.
 */
public final class NetlinkAttributes {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int[] NONE = new int[0];

    private final MemorySegment buf;
    /** Value offset per type, -1 when absent. */
    private int[] offsets = NONE;
    private int[] lengths = NONE;

    private NetlinkAttributes(MemorySegment buf) {
        this.buf = buf;
    }

    /** Parses the attributes in {@code buf[from, to)}; a truncated attribute is an error. */
    public static NetlinkAttributes parse(MemorySegment buf, int from, int to) {
        NetlinkAttributes a = new NetlinkAttributes(buf);
        int at = from;
        while (at + Netlink.ATTRIBUTE_HEADER_SIZE <= to) {
            int length = Short.toUnsignedInt(buf.get(U16, at));
            int type = Short.toUnsignedInt(buf.get(U16, at + 2)) & Netlink.NLA_TYPE_MASK;
            if (length < Netlink.ATTRIBUTE_HEADER_SIZE || at + length > to) {
                throw new IllegalStateException("malformed attribute at offset " + at + ": length " + length
                        + " with " + (to - at) + " bytes left");
            }
            a.record(type, at + Netlink.ATTRIBUTE_HEADER_SIZE, length - Netlink.ATTRIBUTE_HEADER_SIZE);
            at += Netlink.align(length);
        }
        return a;
    }

    private void record(int type, int offset, int length) {
        if (type >= offsets.length) {
            int size = Math.max(type + 1, offsets.length * 2);
            int old = offsets.length;
            offsets = Arrays.copyOf(offsets, size);
            lengths = Arrays.copyOf(lengths, size);
            Arrays.fill(offsets, old, size, -1);
        }
        offsets[type] = offset;
        lengths[type] = length;
    }

    public boolean has(int type) {
        return type < offsets.length && offsets[type] >= 0;
    }

    /** Length of the value of {@code type}; -1 when absent. */
    public int length(int type) {
        return has(type) ? lengths[type] : -1;
    }

    public int u8(int type) {
        return Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, value(type, 1)));
    }

    public int u16(int type) {
        return Short.toUnsignedInt(buf.get(U16, value(type, 2)));
    }

    /** A 32-bit value in host order. */
    public int u32(int type) {
        return buf.get(U32, value(type, 4));
    }

    /** {@code u32(type)}, or {@code otherwise} when absent. */
    public int u32(int type, int otherwise) {
        return has(type) ? u32(type) : otherwise;
    }

    public byte[] bytes(int type) {
        long at = value(type, 0);
        byte[] b = new byte[lengths[type]];
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, at, b, 0, b.length);
        return b;
    }

    /** A string value up to its NUL (or the whole value if there is none); null when absent. */
    public String string(int type) {
        if (!has(type)) {
            return null;
        }
        byte[] b = bytes(type);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** A 4- or 16-byte address value; null when absent. */
    public InetAddress inetAddress(int type) {
        if (!has(type)) {
            return null;
        }
        byte[] b = bytes(type);
        if (b.length != 4 && b.length != 16) {
            throw new IllegalStateException("attribute " + type + " holds " + b.length + " bytes, not an address");
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 and 16 bytes are valid lengths", e);
        }
    }

    /** A 6-byte hardware address; null when absent or of another length (tun, ipip ...). */
    public MacAddress macAddress(int type) {
        return length(type) == MacAddress.LENGTH ? MacAddress.of(bytes(type)) : null;
    }

    /** The attributes nested in {@code type}; empty when absent. */
    public NetlinkAttributes nested(int type) {
        if (!has(type)) {
            return new NetlinkAttributes(buf);
        }
        return parse(buf, offsets[type], offsets[type] + lengths[type]);
    }

    private long value(int type, int size) {
        if (!has(type)) {
            throw new IllegalStateException("no attribute " + type);
        }
        if (lengths[type] < size) {
            throw new IllegalStateException("attribute " + type + " holds " + lengths[type] + " bytes, wanted " + size);
        }
        return offsets[type];
    }
}
