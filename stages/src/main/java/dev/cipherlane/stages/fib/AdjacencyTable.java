package dev.cipherlane.stages.fib;

import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Adjacencies: where a packet goes once the FIB and the load balancer have chosen a path. An
 * adjacency is an {@code int} index into parallel primitive arrays, the way VPP's
 * {@code ip_adjacency_t} pool is indexed.
 *
 * <p>Each adjacency has a {@link AdjacencyKind kind}, a tx interface index, an address (the
 * next hop for neighbours, the owned address for {@code LOCAL}) and, for neighbours, a 14-byte
 * Ethernet rewrite (destination MAC, source MAC, EtherType) kept at {@code index * 16} in one
 * flat byte array so the rewrite stage copies it with a single bulk copy.
 *
 * <p>A tunnel adjacency ({@link #addTunnel}) is a midchain: the packet must first be
 * encapsulated into tunnel {@link #tunnel(int) tunnel(adj)} and only then forwarded on the
 * underlay. Its {@link AdjacencyKind kind} reads {@code DROP}, so a stage that does not check
 * {@code tunnel(adj)} fails closed instead of sending tunnel traffic unencapsulated; the tunnel
 * index is the only thing that tells it apart. It has no family: IPv4 and IPv6 load balancers
 * may both use it (RFC 2003 and RFC 4213 carry both over one IPv4 tunnel).
 *
 * <p>Two indices are permanent and exist from construction: {@link #DROP} (0) and
 * {@link #PUNT} (1). Index 0 being DROP means a zero-initialised reference fails closed.
 *
 * <p>Threading: owned by one control thread; not thread-safe. Workers never read this object;
 * they read a {@link Snapshot}, an immutable copy taken with {@link #snapshot()} after a batch of
 * changes and published together with the FIB snapshots (see {@link ForwardingTables}). Freed
 * indices are reused, which is safe only because a worker's load balancer snapshot and adjacency
 * snapshot always come from the same capture; and an adjacency still referenced by a load
 * balancer cannot be removed (the {@link LoadBalanceTable} holds a lock on each of its paths).
 */
public final class AdjacencyTable {

    /** Permanent adjacency that discards. */
    public static final int DROP = 0;
    /** Permanent adjacency that hands the packet to the control plane. */
    public static final int PUNT = 1;
    /** Bytes between the rewrites of consecutive adjacencies in {@link Snapshot#rewriteBytes()}. */
    public static final int REWRITE_STRIDE = 16;
    /** Bytes of a rewrite: an Ethernet II header (destination MAC, source MAC, EtherType). */
    public static final int REWRITE_LENGTH = Ethernet.HEADER_LENGTH;

    /** What {@link #tunnel(int)} returns for an adjacency that is not a tunnel adjacency. */
    public static final int NO_TUNNEL = -1;

    private static final int MAC_LENGTH = 6;
    private static final int INITIAL_CAPACITY = 64;
    private static final byte FAMILY_NONE = 0;
    private static final byte FAMILY_IP4 = 4;
    private static final byte FAMILY_IP6 = 6;

    private byte[] kinds = new byte[INITIAL_CAPACITY];
    private byte[] families = new byte[INITIAL_CAPACITY];
    private boolean[] live = new boolean[INITIAL_CAPACITY];
    private int[] txInterfaces = new int[INITIAL_CAPACITY];
    private int[] nextHops4 = new int[INITIAL_CAPACITY];
    private long[] nextHops6 = new long[INITIAL_CAPACITY * 2];
    private byte[] rewrites = new byte[INITIAL_CAPACITY * REWRITE_STRIDE];
    private int[] locks = new int[INITIAL_CAPACITY];
    private int[] tunnels = new int[INITIAL_CAPACITY];
    private int[] free = new int[INITIAL_CAPACITY];
    private int freeCount;
    private int size;
    private Snapshot snapshot;

    public AdjacencyTable() {
        int drop = allocate(AdjacencyKind.DROP, FAMILY_NONE, -1);
        int punt = allocate(AdjacencyKind.PUNT, FAMILY_NONE, -1);
        assert drop == DROP && punt == PUNT;
    }

    /** An address of ours on {@code interfaceIndex}: packets to it are received locally. */
    public int addLocal4(int interfaceIndex, int address) {
        int adj = allocate(AdjacencyKind.LOCAL, FAMILY_IP4, interfaceIndex);
        nextHops4[adj] = address;
        return adj;
    }

    /** An IPv6 address of ours on {@code interfaceIndex}. */
    public int addLocal6(int interfaceIndex, long addressHi, long addressLo) {
        int adj = allocate(AdjacencyKind.LOCAL, FAMILY_IP6, interfaceIndex);
        nextHops6[2 * adj] = addressHi;
        nextHops6[2 * adj + 1] = addressLo;
        return adj;
    }

    /** IPv4 connected subnet on {@code txInterface}: ARP for each packet's destination. */
    public int addGlean4(int txInterface) {
        return allocate(AdjacencyKind.GLEAN, FAMILY_IP4, txInterface);
    }

    /** IPv6 connected subnet on {@code txInterface}: neighbour-solicit each packet's destination. */
    public int addGlean6(int txInterface) {
        return allocate(AdjacencyKind.GLEAN, FAMILY_IP6, txInterface);
    }

    /**
     * Midchain adjacency into tunnel {@code tunnelIndex} (an index of the tunnel table, which
     * this table does not know). Kind {@code DROP} for stages that ignore tunnels; see the
     * class comment.
     */
    public int addTunnel(int tunnelIndex) {
        if (tunnelIndex < 0) {
            throw new IllegalArgumentException("tunnel index " + tunnelIndex + " is negative");
        }
        int adj = allocate(AdjacencyKind.DROP, FAMILY_NONE, -1);
        tunnels[adj] = tunnelIndex;
        return adj;
    }

    /**
     * IPv4 neighbour whose MAC is not known yet ({@code INCOMPLETE}); {@link #updateRewrite}
     * completes it when ARP answers. The source MAC and EtherType are written now.
     */
    public int addNeighbor4(int txInterface, int nextHop, byte[] srcMac) {
        checkMac(srcMac);
        int adj = allocate(AdjacencyKind.INCOMPLETE, FAMILY_IP4, txInterface);
        nextHops4[adj] = nextHop;
        writeHeader(adj, null, srcMac, Ethernet.ETHERTYPE_IP4);
        return adj;
    }

    /** IPv6 neighbour whose MAC is not known yet; see {@link #addNeighbor4}. */
    public int addNeighbor6(int txInterface, long nextHopHi, long nextHopLo, byte[] srcMac) {
        checkMac(srcMac);
        int adj = allocate(AdjacencyKind.INCOMPLETE, FAMILY_IP6, txInterface);
        nextHops6[2 * adj] = nextHopHi;
        nextHops6[2 * adj + 1] = nextHopLo;
        writeHeader(adj, null, srcMac, Ethernet.ETHERTYPE_IP6);
        return adj;
    }

    /** Complete IPv4 neighbour (static ARP entry, or MAC already known). */
    public int addRewrite4(int txInterface, int nextHop, byte[] srcMac, byte[] dstMac) {
        checkMac(dstMac);
        int adj = addNeighbor4(txInterface, nextHop, srcMac);
        updateRewrite(adj, dstMac);
        return adj;
    }

    /** Complete IPv6 neighbour. */
    public int addRewrite6(int txInterface, long nextHopHi, long nextHopLo, byte[] srcMac, byte[] dstMac) {
        checkMac(dstMac);
        int adj = addNeighbor6(txInterface, nextHopHi, nextHopLo, srcMac);
        updateRewrite(adj, dstMac);
        return adj;
    }

    /**
     * Sets the destination MAC of a neighbour adjacency (ARP reply, ND advertisement, or the
     * neighbour moved) and makes it {@code REWRITE}. The index is unchanged, so load balancers
     * and routes pointing at it pick up the new MAC with the next snapshot and nothing else.
     */
    public void updateRewrite(int adj, byte[] dstMac) {
        checkMac(dstMac);
        requireNeighbor(adj);
        writeHeader(adj, dstMac, null, 0);
        kinds[adj] = (byte) AdjacencyKind.REWRITE.ordinal();
        snapshot = null;
    }

    /** The neighbour's MAC is no longer trusted (entry expired or failed): resolve again. */
    public void markIncomplete(int adj) {
        requireNeighbor(adj);
        Arrays.fill(rewrites, adj * REWRITE_STRIDE, adj * REWRITE_STRIDE + MAC_LENGTH, (byte) 0);
        kinds[adj] = (byte) AdjacencyKind.INCOMPLETE.ordinal();
        snapshot = null;
    }

    /**
     * Frees {@code adj} for reuse. Refused for the permanent indices and while a load balancer
     * still uses it, because a reused index would silently redirect that load balancer's traffic.
     */
    public void remove(int adj) {
        requireLive(adj);
        if (adj == DROP || adj == PUNT) {
            throw new IllegalArgumentException("adjacency " + adj + " is permanent");
        }
        if (locks[adj] != 0) {
            throw new IllegalStateException("adjacency " + adj + " is used by " + locks[adj] + " load balancer(s)");
        }
        live[adj] = false;
        kinds[adj] = (byte) AdjacencyKind.DROP.ordinal();
        families[adj] = FAMILY_NONE;
        txInterfaces[adj] = -1;
        nextHops4[adj] = 0;
        nextHops6[2 * adj] = 0;
        nextHops6[2 * adj + 1] = 0;
        tunnels[adj] = NO_TUNNEL;
        Arrays.fill(rewrites, adj * REWRITE_STRIDE, (adj + 1) * REWRITE_STRIDE, (byte) 0);
        free[freeCount++] = adj;
        snapshot = null;
    }

    public boolean contains(int adj) {
        return adj >= 0 && adj < size && live[adj];
    }

    /** One past the highest index ever handed out: valid indices are {@code 0..size()-1}. */
    public int size() {
        return size;
    }

    public AdjacencyKind kind(int adj) {
        return AdjacencyKind.ofOrdinal(kinds[adj]);
    }

    public int txInterface(int adj) {
        return txInterfaces[adj];
    }

    public boolean isIp6(int adj) {
        return families[adj] == FAMILY_IP6;
    }

    public int nextHop4(int adj) {
        return nextHops4[adj];
    }

    /** The tunnel a tunnel adjacency encapsulates into, {@link #NO_TUNNEL} for every other adjacency. */
    public int tunnel(int adj) {
        return tunnels[adj];
    }

    public long nextHop6Hi(int adj) {
        return nextHops6[2 * adj];
    }

    public long nextHop6Lo(int adj) {
        return nextHops6[2 * adj + 1];
    }

    /** A copy of the 14-byte Ethernet rewrite (for {@code show adjacency} and tests). */
    public byte[] rewrite(int adj) {
        return Arrays.copyOfRange(rewrites, adj * REWRITE_STRIDE, adj * REWRITE_STRIDE + REWRITE_LENGTH);
    }

    /** Load balancers currently holding {@code adj} as a path. */
    public int lockCount(int adj) {
        return locks[adj];
    }

    /**
     * Immutable copy for workers. Cached until the next change, so capturing an unchanged table
     * is free.
     */
    public Snapshot snapshot() {
        if (snapshot == null) {
            snapshot = new Snapshot(this);
        }
        return snapshot;
    }

    void lock(int adj) {
        requireLive(adj);
        locks[adj]++;
    }

    void unlock(int adj) {
        if (locks[adj] <= 0) {
            throw new IllegalStateException("adjacency " + adj + " is not locked");
        }
        locks[adj]--;
    }

    private int allocate(AdjacencyKind kind, byte family, int txInterface) {
        int adj;
        if (freeCount > 0) {
            adj = free[--freeCount];
        } else {
            if (size == kinds.length) {
                grow();
            }
            adj = size++;
        }
        live[adj] = true;
        kinds[adj] = (byte) kind.ordinal();
        families[adj] = family;
        txInterfaces[adj] = txInterface;
        locks[adj] = 0;
        tunnels[adj] = NO_TUNNEL;
        snapshot = null;
        return adj;
    }

    private void grow() {
        int capacity = kinds.length * 2;
        kinds = Arrays.copyOf(kinds, capacity);
        families = Arrays.copyOf(families, capacity);
        live = Arrays.copyOf(live, capacity);
        txInterfaces = Arrays.copyOf(txInterfaces, capacity);
        nextHops4 = Arrays.copyOf(nextHops4, capacity);
        nextHops6 = Arrays.copyOf(nextHops6, capacity * 2);
        rewrites = Arrays.copyOf(rewrites, capacity * REWRITE_STRIDE);
        locks = Arrays.copyOf(locks, capacity);
        tunnels = Arrays.copyOf(tunnels, capacity);
        free = Arrays.copyOf(free, capacity);
    }

    /** Writes the parts of the Ethernet header that are given; null MAC means leave as is. */
    private void writeHeader(int adj, byte[] dstMac, byte[] srcMac, int etherType) {
        int at = adj * REWRITE_STRIDE;
        if (dstMac != null) {
            System.arraycopy(dstMac, 0, rewrites, at, MAC_LENGTH);
        }
        if (srcMac != null) {
            System.arraycopy(srcMac, 0, rewrites, at + MAC_LENGTH, MAC_LENGTH);
            rewrites[at + 12] = (byte) (etherType >>> 8);
            rewrites[at + 13] = (byte) etherType;
        }
    }

    private void requireLive(int adj) {
        if (!contains(adj)) {
            throw new IllegalArgumentException("no adjacency " + adj);
        }
    }

    private void requireNeighbor(int adj) {
        requireLive(adj);
        AdjacencyKind kind = kind(adj);
        if (kind != AdjacencyKind.INCOMPLETE && kind != AdjacencyKind.REWRITE) {
            throw new IllegalArgumentException("adjacency " + adj + " is " + kind + ", not a neighbour");
        }
    }

    private static void checkMac(byte[] mac) {
        if (mac == null || mac.length != MAC_LENGTH) {
            throw new IllegalArgumentException("a MAC address is 6 bytes");
        }
    }

    /**
     * What workers read: an immutable copy of the table. Indices freed before the capture read
     * as {@code DROP}; indices at or past {@link #size()} are out of bounds.
     */
    public static final class Snapshot {
        private final byte[] kinds;
        private final byte[] families;
        private final int[] txInterfaces;
        private final int[] nextHops4;
        private final long[] nextHops6;
        private final byte[] rewrites;
        private final int[] tunnels;
        private final MemorySegment rewriteSegment;

        private Snapshot(AdjacencyTable table) {
            int n = table.size;
            kinds = Arrays.copyOf(table.kinds, n);
            families = Arrays.copyOf(table.families, n);
            txInterfaces = Arrays.copyOf(table.txInterfaces, n);
            nextHops4 = Arrays.copyOf(table.nextHops4, n);
            nextHops6 = Arrays.copyOf(table.nextHops6, 2 * n);
            rewrites = Arrays.copyOf(table.rewrites, n * REWRITE_STRIDE);
            tunnels = Arrays.copyOf(table.tunnels, n);
            rewriteSegment = MemorySegment.ofArray(rewrites).asReadOnly();
        }

        public int size() {
            return kinds.length;
        }

        public AdjacencyKind kind(int adj) {
            return AdjacencyKind.ofOrdinal(kinds[adj]);
        }

        public int txInterface(int adj) {
            return txInterfaces[adj];
        }

        public boolean isIp6(int adj) {
            return families[adj] == FAMILY_IP6;
        }

        public int nextHop4(int adj) {
            return nextHops4[adj];
        }

        public long nextHop6Hi(int adj) {
            return nextHops6[2 * adj];
        }

        public long nextHop6Lo(int adj) {
            return nextHops6[2 * adj + 1];
        }

        /** The tunnel of a tunnel adjacency, {@link #NO_TUNNEL} otherwise (freed indices included). */
        public int tunnel(int adj) {
            return tunnels[adj];
        }

        /** Where {@code adj}'s 14-byte Ethernet header starts in {@link #rewriteBytes()}. */
        public int rewriteOffset(int adj) {
            return adj * REWRITE_STRIDE;
        }

        /** All rewrites, {@link #REWRITE_STRIDE} bytes apart. Shared by every worker: never write to it. */
        public byte[] rewriteBytes() {
            return rewrites;
        }

        /** The same bytes as a read-only heap segment, for {@code MemorySegment.copy} into a buffer. */
        public MemorySegment rewriteSegment() {
            return rewriteSegment;
        }
    }
}
