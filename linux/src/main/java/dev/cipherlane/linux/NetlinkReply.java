package dev.cipherlane.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A cursor over the netlink messages of one received datagram (a reply, an ack, or a part
 * of a dump holding many messages). {@link #next()} steps from message to message, checking
 * each nlmsg_len against what was received; the accessors read the current one. Reused for
 * every datagram, so nothing is allocated while walking.
 *
 * <pre>
 * reply.reset(received);
 * while (reply.next()) {
 *     if (reply.type() == RTM_NEWLINK) {
 *         int index = reply.payloadInt(4);                  // ifinfomsg.ifi_index
 *         NetlinkAttributes a = reply.attributes(16);        // after the 16-byte ifinfomsg
 *     }
 * }
 * </pre>
 */
public final class NetlinkReply {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final MemorySegment buf;
    private int limit;
    private int start;
    private int end;
    private int nextStart;

    public NetlinkReply(MemorySegment buf) {
        this.buf = buf;
    }

    /** Starts over on the first {@code received} bytes of the buffer. */
    public void reset(int received) {
        if (received < 0 || received > buf.byteSize()) {
            throw new IllegalArgumentException("received " + received + " bytes into a buffer of " + buf.byteSize());
        }
        limit = received;
        start = end = nextStart = 0;
    }

    /** Moves to the next message; false when the datagram holds no more. */
    public boolean next() {
        if (nextStart + Netlink.HEADER_SIZE > limit) {
            start = end = limit;
            return false;
        }
        int length = buf.get(U32, nextStart);
        if (length < Netlink.HEADER_SIZE || length > limit - nextStart) {
            throw new IllegalStateException("malformed netlink message at offset " + nextStart + ": nlmsg_len "
                    + Integer.toUnsignedString(length) + " with " + (limit - nextStart) + " bytes left");
        }
        start = nextStart;
        end = start + length;
        nextStart = Math.min(limit, start + Netlink.align(length));
        return true;
    }

    public int type() {
        return Short.toUnsignedInt(buf.get(U16, start + 4));
    }

    public int flags() {
        return Short.toUnsignedInt(buf.get(U16, start + 6));
    }

    public int sequence() {
        return buf.get(U32, start + NetlinkMessage.SEQUENCE);
    }

    public int portId() {
        return buf.get(U32, start + NetlinkMessage.PORT_ID);
    }

    /** Offset of the payload (family header) in {@link #segment()}. */
    public int payload() {
        return start + Netlink.HEADER_SIZE;
    }

    /** Length of the payload. */
    public int payloadLength() {
        return end - payload();
    }

    /** Offset just past the message. */
    public int end() {
        return end;
    }

    public MemorySegment segment() {
        return buf;
    }

    public int payloadByte(int offset) {
        return Byte.toUnsignedInt(buf.get(ValueLayout.JAVA_BYTE, checkPayload(offset, 1)));
    }

    public int payloadShort(int offset) {
        return Short.toUnsignedInt(buf.get(U16, checkPayload(offset, 2)));
    }

    public int payloadInt(int offset) {
        return buf.get(U32, checkPayload(offset, 4));
    }

    /** The attributes following a family header of {@code headerSize} bytes. */
    public NetlinkAttributes attributes(int headerSize) {
        int from = payload() + Netlink.align(headerSize);
        if (from > end) {
            throw new IllegalStateException("message of type " + type() + " has " + payloadLength()
                    + " payload bytes, shorter than its " + headerSize + "-byte header");
        }
        return NetlinkAttributes.parse(buf, from, end);
    }

    private long checkPayload(int offset, int size) {
        if (offset < 0 || offset + size > payloadLength()) {
            throw new IndexOutOfBoundsException("payload offset " + offset + "+" + size + " outside "
                    + payloadLength() + " bytes");
        }
        return payload() + offset;
    }
}
