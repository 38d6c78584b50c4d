package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Builds one netlink request in off-heap memory: the 16-byte nlmsghdr, a family header
 * (ifinfomsg, ifaddrmsg, rtmsg, ndmsg ...) and attributes, each on a 4-byte boundary with
 * zeroed padding (see {@link Netlink} for the layouts).
 *
 * <pre>
 * m.begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
 * int h = m.reserve(8);                  // struct ifaddrmsg
 * m.putByte(h, AF_INET).putByte(h + 1, 32).putInt(h + 4, index);
 * m.attribute(IFA_LOCAL, address.getAddress());
 * m.finish();
 * </pre>
 *
 * A builder owns a fixed buffer and is reused for every request; it is not thread-safe.
 * Sequence number and port id are left 0 for {@link NetlinkSocket} to fill in.
 */
public final class NetlinkMessage {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int LENGTH = 0;
    private static final int TYPE = 4;
    private static final int FLAGS = 6;
    static final int SEQUENCE = 8;
    static final int PORT_ID = 12;

    private final MemorySegment buf;
    private int length;
    private boolean finished;

    public NetlinkMessage(MemorySegment buf) {
        if (!buf.isNative() || buf.byteSize() < Netlink.HEADER_SIZE || buf.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a netlink message needs a native buffer of 16 bytes to 2 GB");
        }
        this.buf = buf;
    }

    public static NetlinkMessage allocate(Arena arena, int capacity) {
        return new NetlinkMessage(arena.allocate(capacity, Netlink.ALIGNTO));
    }

    /** Starts a new message, dropping whatever was built before. */
    public NetlinkMessage begin(int type, int flags) {
        buf.asSlice(0, Netlink.HEADER_SIZE).fill((byte) 0);
        buf.set(U16, TYPE, (short) type);
        buf.set(U16, FLAGS, (short) flags);
        length = Netlink.HEADER_SIZE;
        finished = false;
        return this;
    }

    /**
     * Appends {@code size} zeroed bytes (a family header), padded to the alignment; returns
     * their offset for {@link #putByte}, {@link #putShort} and {@link #putInt}.
     */
    public int reserve(int size) {
        return grow(Netlink.align(size));
    }

    public NetlinkMessage putByte(int offset, int value) {
        checkWritten(offset, 1);
        buf.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
        return this;
    }

    public NetlinkMessage putShort(int offset, int value) {
        checkWritten(offset, 2);
        buf.set(U16, offset, (short) value);
        return this;
    }

    public NetlinkMessage putInt(int offset, int value) {
        checkWritten(offset, 4);
        buf.set(U32, offset, value);
        return this;
    }

    /** An attribute with the given bytes as its value. */
    public NetlinkMessage attribute(int type, byte[] value) {
        int at = attributeHeader(type, value.length);
        MemorySegment.copy(value, 0, buf, ValueLayout.JAVA_BYTE, at + Netlink.ATTRIBUTE_HEADER_SIZE, value.length);
        return this;
    }

    public NetlinkMessage attributeU8(int type, int value) {
        int at = attributeHeader(type, 1);
        buf.set(ValueLayout.JAVA_BYTE, at + Netlink.ATTRIBUTE_HEADER_SIZE, (byte) value);
        return this;
    }

    public NetlinkMessage attributeU16(int type, int value) {
        int at = attributeHeader(type, 2);
        buf.set(U16, at + Netlink.ATTRIBUTE_HEADER_SIZE, (short) value);
        return this;
    }

    /** A 32-bit attribute in host order (ifindex, MTU, table, flags). */
    public NetlinkMessage attributeU32(int type, int value) {
        int at = attributeHeader(type, 4);
        buf.set(U32, at + Netlink.ATTRIBUTE_HEADER_SIZE, value);
        return this;
    }

    /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
    public NetlinkMessage attributeString(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        int at = attributeHeader(type, text.length + 1);
        MemorySegment.copy(text, 0, buf, ValueLayout.JAVA_BYTE, at + Netlink.ATTRIBUTE_HEADER_SIZE, text.length);
        return this;
    }

    /**
     * Opens a nested attribute (IFLA_LINKINFO ...): what is added until {@link #endNested}
     * with the returned offset becomes its value. The type goes out as given: rtnetlink
     * takes nests without {@link Netlink#NLA_F_NESTED} (as iproute2 sends them), newer
     * families such as nf_tables want it or'ed in.
     */
    public int beginNested(int type) {
        return attributeHeader(type, 0);
    }

    public NetlinkMessage endNested(int start) {
        checkWritten(start, Netlink.ATTRIBUTE_HEADER_SIZE);
        int nestedLength = length - start;
        if (nestedLength > 0xffff) {
            throw new IllegalStateException("nested attribute of " + nestedLength + " bytes exceeds 65535");
        }
        buf.set(U16, start, (short) nestedLength);
        return this;
    }

    /** Writes nlmsg_len; the message is then ready to send. Returns its length. */
    public int finish() {
        requireStarted();
        buf.set(U32, LENGTH, length);
        finished = true;
        return length;
    }

    public MemorySegment segment() {
        return buf;
    }

    /** Bytes built so far (the whole message once finished). */
    public int length() {
        return length;
    }

    public boolean isFinished() {
        return finished;
    }

    public int type() {
        return Short.toUnsignedInt(buf.get(U16, TYPE));
    }

    public int flags() {
        return Short.toUnsignedInt(buf.get(U16, FLAGS));
    }

    void addFlags(int flags) {
        buf.set(U16, FLAGS, (short) (flags() | flags));
    }

    void setSequence(int seq) {
        buf.set(U32, SEQUENCE, seq);
    }

    void setPortId(int portId) {
        buf.set(U32, PORT_ID, portId);
    }

    private int attributeHeader(int type, int valueLength) {
        int attrLength = Netlink.ATTRIBUTE_HEADER_SIZE + valueLength;
        if (attrLength > 0xffff) {
            throw new IllegalArgumentException("attribute of " + valueLength + " bytes exceeds 65531");
        }
        int at = grow(Netlink.align(attrLength));
        buf.set(U16, at, (short) attrLength);
        buf.set(U16, at + 2, (short) type);
        return at;
    }

    /** Appends {@code n} zeroed bytes and returns where they start. */
    private int grow(int n) {
        requireStarted();
        if (finished) {
            throw new IllegalStateException("message already finished; begin a new one");
        }
        if ((long) length + n > buf.byteSize()) {
            throw new IllegalStateException("netlink message would exceed its " + buf.byteSize() + "-byte buffer");
        }
        int at = length;
        buf.asSlice(at, n).fill((byte) 0);
        length += n;
        return at;
    }

    private void requireStarted() {
        if (length == 0) {
            throw new IllegalStateException("begin a message first");
        }
    }

    private void checkWritten(int offset, int size) {
        if (offset < Netlink.HEADER_SIZE || offset + size > length) {
            throw new IndexOutOfBoundsException("offset " + offset + "+" + size + " is outside the "
                    + length + " bytes built");
        }
    }
}
