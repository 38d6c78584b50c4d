package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One {@code struct msghdr} and its array of {@code struct iovec}s, allocated off-heap
 * once, for sendmsg(2) of bytes that lie in several places: the kernel gathers the pieces
 * in order, as if they were one buffer (a datagram or a packet socket's frame is the
 * pieces' concatenation). A data path fills it per send with raw addresses of its own
 * buffers, {@link #clear} then {@link #add} piece by piece, and sends it with
 * {@link Sockets#sendmsg}; nothing is allocated per send and no byte is copied in user
 * space.
 *
 * <p>No name (a bound or connected socket) and no ancillary data. One thread fills and
 * sends it at a time. The pieces' memory must stay alive until the send returns: the
 * caller owns it, and {@link #add} checks it is native, in bounds and open.
 */
public final class GatherMessage implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment header;
    private final MemorySegment iovecs;
    private final int capacity;
    private int pieces;
    private long bytes;

    /** Room for up to {@code capacity} pieces per send (at most {@link Msghdr#IOV_MAX}). */
    public GatherMessage(int capacity) {
        if (capacity < 1 || capacity > Msghdr.IOV_MAX) {
            throw new IllegalArgumentException("iovecs per message must be 1.." + Msghdr.IOV_MAX + ", got "
                    + capacity);
        }
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        this.header = arena.allocate(Msghdr.MSGHDR_SIZE, 8);
        this.iovecs = arena.allocate((long) capacity * Msghdr.IOVEC_SIZE, 8);
        header.set(JAVA_LONG, Msghdr.MSG_IOV, iovecs.address());
    }

    /** Forgets the pieces added so far. */
    public void clear() {
        pieces = 0;
        bytes = 0;
    }

    /**
     * Appends {@code segment[offset, offset+length)} as the next piece. Returns false, adding
     * nothing, when the message already holds {@link #capacity} pieces.
     */
    public boolean add(MemorySegment segment, long offset, long length) {
        long address = Libc.address(segment, offset, length);
        if (pieces == capacity) {
            return false;
        }
        long at = (long) pieces * Msghdr.IOVEC_SIZE;
        iovecs.set(JAVA_LONG, at + Msghdr.IOV_BASE, address);
        iovecs.set(JAVA_LONG, at + Msghdr.IOV_LEN, length);
        pieces++;
        bytes += length;
        return true;
    }

    /** Pieces added since the last {@link #clear}. */
    public int pieces() {
        return pieces;
    }

    /** Bytes in those pieces together: what a complete send transmits. */
    public long bytes() {
        return bytes;
    }

    public int capacity() {
        return capacity;
    }

    /** The msghdr, its iovec count set to the pieces added; for {@link Sockets#sendmsg}. */
    MemorySegment prepared() {
        header.set(JAVA_LONG, Msghdr.MSG_IOVLEN, pieces);
        header.set(JAVA_INT, Msghdr.MSG_FLAGS, 0);
        return header;
    }

    @Override
    public void close() {
        arena.close();
    }
}
