package dev.cipherlane.stages.buffer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * All packet buffers of a node: one off-heap data segment carved into fixed-size buffers
 * (small buffers first, then large ones) and one metadata segment of {@link Meta#SIZE}
 * bytes per buffer. A packet is an {@code int} buffer index; nothing per packet lives on
 * the Java heap.
 *
 * <p>Data layout of a buffer: {@link #HEADROOM} bytes left free in front, so stages that
 * encapsulate move {@code DATA_OFFSET} back instead of copying the packet.
 *
 * <p>Threads: the segments are shared. A buffer is touched by one thread at a time (its
 * owner passes it on through a ring, which orders the writes). Allocation goes through a
 * per-worker {@link BufferCache}.
 */
public final class PacketMemory implements AutoCloseable {
    /** Free bytes in front of the packet for encapsulation headers. */
    public static final int HEADROOM = 256;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT;

    private final Arena arena;
    private final MemorySegment data;
    private final MemorySegment meta;
    private final int smallCount;
    private final int largeCount;
    private final long largeBase;
    private final FreeList smallFree;
    private final FreeList largeFree;
    private final List<BufferCache> caches = new CopyOnWriteArrayList<>();

    public PacketMemory(int smallCount, int largeCount) {
        if (smallCount < 1 || largeCount < 0) {
            throw new IllegalArgumentException("buffer counts: small >= 1, large >= 0; got "
                    + smallCount + ", " + largeCount);
        }
        this.smallCount = smallCount;
        this.largeCount = largeCount;
        this.arena = Arena.ofShared();
        this.largeBase = (long) smallCount * SizeClass.SMALL.bytes;
        long dataBytes = largeBase + (long) largeCount * SizeClass.LARGE.bytes;
        // Page alignment keeps every buffer cache-line aligned (both sizes are multiples of 64).
        this.data = arena.allocate(dataBytes, 4096);
        this.meta = arena.allocate((long) (smallCount + largeCount) * Meta.SIZE, 64);
        this.smallFree = new FreeList(0, smallCount);
        this.largeFree = new FreeList(smallCount, largeCount);
    }

    /** A new per-worker cache; each worker thread uses its own. */
    public BufferCache newCache() {
        BufferCache c = new BufferCache(this);
        caches.add(c);
        return c;
    }

    void forget(BufferCache c) {
        caches.remove(c);
    }

    FreeList freeList(SizeClass sc) {
        return sc == SizeClass.SMALL ? smallFree : largeFree;
    }

    public int capacity(SizeClass sc) {
        return sc == SizeClass.SMALL ? smallCount : largeCount;
    }

    /**
     * Buffers of a class currently allocated to packets. Exact when workers are quiescent
     * (tests, shutdown); a close estimate while they run.
     */
    public int inUse(SizeClass sc) {
        int cached = 0;
        for (BufferCache c : caches) {
            cached += c.cached(sc);
        }
        return capacity(sc) - freeList(sc).free() - cached;
    }

    public int inUse() {
        return inUse(SizeClass.SMALL) + inUse(SizeClass.LARGE);
    }

    public SizeClass sizeClass(int bi) {
        return bi < smallCount ? SizeClass.SMALL : SizeClass.LARGE;
    }

    public boolean isValidIndex(int bi) {
        return bi >= 0 && bi < smallCount + largeCount;
    }

    /** The data segment; header fields are read at {@code start(bi) + offset}. */
    public MemorySegment data() {
        return data;
    }

    /** Offset of buffer {@code bi}'s first byte (its headroom) in {@link #data()}. */
    public long base(int bi) {
        return bi < smallCount
                ? (long) bi * SizeClass.SMALL.bytes
                : largeBase + (long) (bi - smallCount) * SizeClass.LARGE.bytes;
    }

    /** Offset of the packet's first byte in {@link #data()}. */
    public long start(int bi) {
        return base(bi) + dataOffset(bi);
    }

    /** Bytes a buffer holds in all (headroom included). */
    public int bufferBytes(int bi) {
        return bi < smallCount ? SizeClass.SMALL.bytes : SizeClass.LARGE.bytes;
    }

    /** Room after the packet's current end. */
    public int tailroom(int bi) {
        return bufferBytes(bi) - dataOffset(bi) - length(bi);
    }

    // ---- metadata ----------------------------------------------------------------------

    private static long m(int bi, int field) {
        return (long) bi * Meta.SIZE + field;
    }

    void resetMeta(int bi) {
        long o = (long) bi * Meta.SIZE;
        for (int i = 0; i < Meta.SIZE; i += 8) {
            meta.set(ValueLayout.JAVA_LONG, o + i, 0L);
        }
        meta.set(I32, o + Meta.DATA_OFFSET, HEADROOM);
        meta.set(I32, o + Meta.FLAGS, PacketFlags.IN_USE);
        meta.set(I32, o + Meta.TRACE, -1);
        meta.set(I32, o + Meta.SA_INDEX, -1);
    }

    public int dataOffset(int bi) { return meta.get(I32, m(bi, Meta.DATA_OFFSET)); }
    public void dataOffset(int bi, int v) { meta.set(I32, m(bi, Meta.DATA_OFFSET), v); }
    public int length(int bi) { return meta.get(I32, m(bi, Meta.LENGTH)); }
    public void length(int bi, int v) { meta.set(I32, m(bi, Meta.LENGTH), v); }
    public int flags(int bi) { return meta.get(I32, m(bi, Meta.FLAGS)); }
    public void flags(int bi, int v) { meta.set(I32, m(bi, Meta.FLAGS), v); }
    public boolean hasFlag(int bi, int flag) { return (flags(bi) & flag) != 0; }
    public void setFlag(int bi, int flag) { flags(bi, flags(bi) | flag); }
    public void clearFlag(int bi, int flag) { flags(bi, flags(bi) & ~flag); }
    public int rxInterface(int bi) { return meta.get(I32, m(bi, Meta.RX_INTERFACE)); }
    public void rxInterface(int bi, int v) { meta.set(I32, m(bi, Meta.RX_INTERFACE), v); }
    public int txInterface(int bi) { return meta.get(I32, m(bi, Meta.TX_INTERFACE)); }
    public void txInterface(int bi, int v) { meta.set(I32, m(bi, Meta.TX_INTERFACE), v); }
    public int nextHop(int bi) { return meta.get(I32, m(bi, Meta.NEXT_HOP)); }
    public void nextHop(int bi, int v) { meta.set(I32, m(bi, Meta.NEXT_HOP), v); }
    public int flowHash(int bi) { return meta.get(I32, m(bi, Meta.FLOW_HASH)); }
    public void flowHash(int bi, int v) { meta.set(I32, m(bi, Meta.FLOW_HASH), v); }
    public int gsoSize(int bi) { return meta.get(I32, m(bi, Meta.GSO_SIZE)); }
    public void gsoSize(int bi, int v) { meta.set(I32, m(bi, Meta.GSO_SIZE), v); }
    public int l3Offset(int bi) { return meta.get(I32, m(bi, Meta.L3_OFFSET)); }
    public void l3Offset(int bi, int v) { meta.set(I32, m(bi, Meta.L3_OFFSET), v); }
    public int l4Offset(int bi) { return meta.get(I32, m(bi, Meta.L4_OFFSET)); }
    public void l4Offset(int bi, int v) { meta.set(I32, m(bi, Meta.L4_OFFSET), v); }
    public int saIndex(int bi) { return meta.get(I32, m(bi, Meta.SA_INDEX)); }
    public void saIndex(int bi, int v) { meta.set(I32, m(bi, Meta.SA_INDEX), v); }
    public int error(int bi) { return meta.get(I32, m(bi, Meta.ERROR)); }
    public void error(int bi, int v) { meta.set(I32, m(bi, Meta.ERROR), v); }
    public int trace(int bi) { return meta.get(I32, m(bi, Meta.TRACE)); }
    public short holder(int bi) { return meta.get(ValueLayout.JAVA_SHORT, m(bi, Meta.HOLDER)); }
    public void holder(int bi, short v) { meta.set(ValueLayout.JAVA_SHORT, m(bi, Meta.HOLDER), v); }
    public void trace(int bi, int v) { meta.set(I32, m(bi, Meta.TRACE), v); }
    public int csumStart(int bi) { return Short.toUnsignedInt(meta.get(I16, m(bi, Meta.CSUM_START))); }
    public void csumStart(int bi, int v) { meta.set(I16, m(bi, Meta.CSUM_START), (short) v); }
    public int csumOffset(int bi) { return Short.toUnsignedInt(meta.get(I16, m(bi, Meta.CSUM_OFFSET))); }
    public void csumOffset(int bi, int v) { meta.set(I16, m(bi, Meta.CSUM_OFFSET), (short) v); }
    /** The virtio-net gso_type byte (its ECN bit included). */
    public int gsoType(int bi) { return Byte.toUnsignedInt(meta.get(ValueLayout.JAVA_BYTE, m(bi, Meta.GSO_TYPE))); }
    public void gsoType(int bi, int v) {
        if ((v & ~0xFF) != 0) {
            throw new IllegalArgumentException("gso_type is one byte, got " + v);
        }
        meta.set(ValueLayout.JAVA_BYTE, m(bi, Meta.GSO_TYPE), (byte) v);
    }
    public int opaque(int bi) { return meta.get(I32, m(bi, Meta.OPAQUE)); }
    public void opaque(int bi, int v) { meta.set(I32, m(bi, Meta.OPAQUE), v); }

    // ---- packet bytes, relative to the packet start --------------------------------------

    public int u8(int bi, int off) { return Byte.toUnsignedInt(data.get(Net.U8, start(bi) + off)); }
    public int u16(int bi, int off) { return Short.toUnsignedInt(data.get(Net.U16, start(bi) + off)); }
    public int u32(int bi, int off) { return data.get(Net.U32, start(bi) + off); }
    public void u8(int bi, int off, int v) { data.set(Net.U8, start(bi) + off, (byte) v); }
    public void u16(int bi, int off, int v) { data.set(Net.U16, start(bi) + off, (short) v); }
    public void u32(int bi, int off, int v) { data.set(Net.U32, start(bi) + off, v); }

    /** Moves the packet start {@code n} bytes earlier (n &gt; 0) or later (n &lt; 0). */
    public void push(int bi, int n) {
        int off = dataOffset(bi) - n;
        if (off < 0 || off > bufferBytes(bi)) {
            throw new IllegalArgumentException("headroom exhausted in buffer " + bi);
        }
        dataOffset(bi, off);
        length(bi, length(bi) + n);
    }

    /** Copies {@code bytes} into the buffer as the whole packet (control path and tests). */
    public void write(int bi, byte[] bytes) {
        if (bytes.length > bufferBytes(bi) - dataOffset(bi)) {
            throw new IllegalArgumentException("packet of " + bytes.length + " bytes does not fit buffer " + bi);
        }
        MemorySegment.copy(bytes, 0, data, Net.U8, start(bi), bytes.length);
        length(bi, bytes.length);
    }

    /** The packet as a new array (control path and tests only). */
    public byte[] read(int bi) {
        byte[] out = new byte[length(bi)];
        MemorySegment.copy(data, Net.U8, start(bi), out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
