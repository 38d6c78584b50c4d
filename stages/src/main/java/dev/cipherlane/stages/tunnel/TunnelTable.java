package dev.cipherlane.stages.tunnel;

import java.util.Arrays;

/**
 * IPIP tunnels between this node and its peers (RFC 2003 IPv4-in-IPv4, RFC 4213 IPv6-in-IPv4),
 * each an {@code int} index into parallel primitive arrays. A tunnel is its two outer
 * addresses, how the outer packet reaches the peer on the underlay (the peer's next hop
 * adjacency, a complete {@code REWRITE} adjacency, and its tx interface) and the underlay MTU
 * that bounds the outer packet.
 *
 * <p>Several tunnels may join the same node pair (DESIGN.md: one SA per tunnel, ECMP across
 * them to use several cores). They must differ in at least one outer address, because
 * {@code ipip-decap} recognises a tunnel by its (remote, local) pair, the way RFC 2003 section 3
 * leaves the choice of decapsulator to the outer addresses; adding a duplicate pair is refused.
 *
 * <p>Peers' pod prefixes reach tunnels through a load balancer whose paths are tunnel
 * adjacencies ({@code AdjacencyTable.addTunnel(index)}); this table knows nothing of those.
 *
 * <p>Threading: as the FIB tables. One control thread mutates; workers read a {@link Snapshot}
 * taken with {@link #snapshot()} after a batch of changes. A worker holding an older snapshot
 * can meet a tunnel adjacency naming a tunnel it does not have yet, or one removed since:
 * both stages drop such packets under a named error rather than guess.
 */
public final class TunnelTable {

    private static final int INITIAL_CAPACITY = 16;

    /** No SA: an unprotected tunnel's, or a protected one's before keys arrive. */
    public static final int NO_SA = -1;
    /** Inbound SAs a tunnel accepts at once: the current one and those being rekeyed in or out. */
    public static final int MAX_INBOUND_SAS = 4;

    private boolean[] live = new boolean[INITIAL_CAPACITY];
    private int[] locals = new int[INITIAL_CAPACITY];
    private int[] remotes = new int[INITIAL_CAPACITY];
    private int[] underlayAdjacencies = new int[INITIAL_CAPACITY];
    private int[] txInterfaces = new int[INITIAL_CAPACITY];
    private int[] mtus = new int[INITIAL_CAPACITY];
    private boolean[] protectedFlags = new boolean[INITIAL_CAPACITY];
    private int[] overheads = new int[INITIAL_CAPACITY];
    private int[] outboundSas = new int[INITIAL_CAPACITY];
    private int[] inboundSas = new int[INITIAL_CAPACITY * MAX_INBOUND_SAS];
    private int[] free = new int[INITIAL_CAPACITY];
    private int freeCount;
    private int size;
    private Snapshot snapshot;

    /**
     * Adds a tunnel; returns its index.
     *
     * @param local              our outer source address
     * @param remote             the peer's outer address
     * @param underlayAdjacency  the complete adjacency of the underlay next hop towards {@code remote}
     * @param txInterface        that adjacency's tx interface
     * @param mtu                underlay MTU: the largest outer packet, outer header included
     */
    public int add(int local, int remote, int underlayAdjacency, int txInterface, int mtu) {
        checkUnderlay(underlayAdjacency, txInterface, mtu);
        if (find(local, remote) >= 0) {
            throw new IllegalArgumentException("a tunnel with these outer addresses exists");
        }
        int t;
        if (freeCount > 0) {
            t = free[--freeCount];
        } else {
            if (size == live.length) {
                grow();
            }
            t = size++;
        }
        live[t] = true;
        locals[t] = local;
        remotes[t] = remote;
        underlayAdjacencies[t] = underlayAdjacency;
        txInterfaces[t] = txInterface;
        mtus[t] = mtu;
        protectedFlags[t] = false;
        overheads[t] = TunnelHeader.OUTER_LENGTH;
        outboundSas[t] = NO_SA;
        Arrays.fill(inboundSas, t * MAX_INBOUND_SAS, (t + 1) * MAX_INBOUND_SAS, NO_SA);
        snapshot = null;
        return t;
    }

    /** The underlay route to the peer changed: a new next hop adjacency, interface or MTU. */
    public void updateUnderlay(int tunnel, int underlayAdjacency, int txInterface, int mtu) {
        requireLive(tunnel);
        checkUnderlay(underlayAdjacency, txInterface, mtu);
        underlayAdjacencies[tunnel] = underlayAdjacency;
        txInterfaces[tunnel] = txInterface;
        mtus[tunnel] = mtu;
        snapshot = null;
    }

    /**
     * Protects {@code tunnel} with ESP (DESIGN.md, "IPsec"): from the next snapshot on, packets
     * into it leave on {@code ipip-encap}'s {@code esp} arc carrying {@code outbound} as their SA
     * ({@link #NO_SA} while there is none: the encryptor drops them, never sends them in clear),
     * and {@code ipip-decap} accepts from it only packets one of {@code inbound} decrypted. Calling
     * it again swaps the SAs, as a rekey does, in one snapshot.
     *
     * @param overhead bytes the protection adds before the inner packet leaves, outer header
     *                 included, at most: the MTU check reserves them
     */
    public void protect(int tunnel, int outbound, int[] inbound, int overhead) {
        requireLive(tunnel);
        if (inbound.length > MAX_INBOUND_SAS) {
            throw new IllegalArgumentException("at most " + MAX_INBOUND_SAS + " inbound SAs per tunnel, got "
                    + inbound.length);
        }
        if (overhead < TunnelHeader.OUTER_LENGTH || mtus[tunnel] - overhead < 68) {
            throw new IllegalArgumentException("tunnel overhead " + overhead + " outside " + TunnelHeader.OUTER_LENGTH
                    + ".." + (mtus[tunnel] - 68) + " for mtu " + mtus[tunnel]);
        }
        protectedFlags[tunnel] = true;
        overheads[tunnel] = overhead;
        outboundSas[tunnel] = outbound < 0 ? NO_SA : outbound;
        int base = tunnel * MAX_INBOUND_SAS;
        for (int i = 0; i < MAX_INBOUND_SAS; i++) {
            inboundSas[base + i] = i < inbound.length && inbound[i] >= 0 ? inbound[i] : NO_SA;
        }
        snapshot = null;
    }

    public boolean isProtected(int tunnel) {
        requireLive(tunnel);
        return protectedFlags[tunnel];
    }

    /** Frees the index for reuse; its tunnel adjacencies must be removed first by the caller. */
    public void remove(int tunnel) {
        requireLive(tunnel);
        live[tunnel] = false;
        free[freeCount++] = tunnel;
        snapshot = null;
    }

    public boolean contains(int tunnel) {
        return tunnel >= 0 && tunnel < size && live[tunnel];
    }

    public int local(int tunnel) {
        requireLive(tunnel);
        return locals[tunnel];
    }

    public int remote(int tunnel) {
        requireLive(tunnel);
        return remotes[tunnel];
    }

    /** Immutable copy for workers; cached until the next change. */
    public Snapshot snapshot() {
        if (snapshot == null) {
            snapshot = new Snapshot(this);
        }
        return snapshot;
    }

    private int find(int local, int remote) {
        for (int t = 0; t < size; t++) {
            if (live[t] && locals[t] == local && remotes[t] == remote) {
                return t;
            }
        }
        return -1;
    }

    private static void checkUnderlay(int underlayAdjacency, int txInterface, int mtu) {
        // RFC 791: every IPv4 link carries 68 bytes; the inner packet must get at least that.
        if (mtu < TunnelHeader.OUTER_LENGTH + 68 || mtu > 65535) {
            throw new IllegalArgumentException("tunnel mtu " + mtu + " outside " + (TunnelHeader.OUTER_LENGTH + 68)
                    + "..65535");
        }
        if (underlayAdjacency < 0 || txInterface < 0) {
            throw new IllegalArgumentException("underlay adjacency and tx interface are required");
        }
    }

    private void requireLive(int tunnel) {
        if (!contains(tunnel)) {
            throw new IllegalArgumentException("no tunnel " + tunnel);
        }
    }

    private void grow() {
        int capacity = live.length * 2;
        live = Arrays.copyOf(live, capacity);
        locals = Arrays.copyOf(locals, capacity);
        remotes = Arrays.copyOf(remotes, capacity);
        underlayAdjacencies = Arrays.copyOf(underlayAdjacencies, capacity);
        txInterfaces = Arrays.copyOf(txInterfaces, capacity);
        mtus = Arrays.copyOf(mtus, capacity);
        protectedFlags = Arrays.copyOf(protectedFlags, capacity);
        overheads = Arrays.copyOf(overheads, capacity);
        outboundSas = Arrays.copyOf(outboundSas, capacity);
        inboundSas = Arrays.copyOf(inboundSas, capacity * MAX_INBOUND_SAS);
        free = Arrays.copyOf(free, capacity);
    }

    /**
     * What workers read. Encapsulation reads a tunnel by index; decapsulation finds one by its
     * outer (source, destination) through an open-addressing hash of the address pair (linear
     * probing, at most half full), so the lookup costs the same with 2 tunnels or 2000.
     */
    public static final class Snapshot {
        /** What {@link #find} returns when no tunnel has the address pair. */
        public static final int NOT_FOUND = -1;

        private final boolean[] live;
        private final int[] locals;
        private final int[] remotes;
        private final int[] underlayAdjacencies;
        private final int[] txInterfaces;
        private final int[] mtus;
        private final boolean[] protectedFlags;
        private final int[] overheads;
        private final int[] outboundSas;
        private final int[] inboundSas;
        private final long[] slotKeys;
        private final int[] slotTunnels;
        private final int slotMask;

        private Snapshot(TunnelTable table) {
            int n = table.size;
            live = Arrays.copyOf(table.live, n);
            locals = Arrays.copyOf(table.locals, n);
            remotes = Arrays.copyOf(table.remotes, n);
            underlayAdjacencies = Arrays.copyOf(table.underlayAdjacencies, n);
            txInterfaces = Arrays.copyOf(table.txInterfaces, n);
            mtus = Arrays.copyOf(table.mtus, n);
            protectedFlags = Arrays.copyOf(table.protectedFlags, n);
            overheads = Arrays.copyOf(table.overheads, n);
            outboundSas = Arrays.copyOf(table.outboundSas, n);
            inboundSas = Arrays.copyOf(table.inboundSas, n * MAX_INBOUND_SAS);
            int slots = Integer.highestOneBit(Math.max(n, 1) * 4 - 1) << 1;
            slotKeys = new long[slots];
            slotTunnels = new int[slots];
            Arrays.fill(slotTunnels, NOT_FOUND);
            slotMask = slots - 1;
            for (int t = 0; t < n; t++) {
                if (live[t]) {
                    long key = key(remotes[t], locals[t]);
                    int s = slot(key);
                    while (slotTunnels[s] != NOT_FOUND) {
                        s = (s + 1) & slotMask;
                    }
                    slotKeys[s] = key;
                    slotTunnels[s] = t;
                }
            }
        }

        /** One past the highest tunnel index in this snapshot. */
        public int size() {
            return live.length;
        }

        public boolean contains(int tunnel) {
            return tunnel >= 0 && tunnel < live.length && live[tunnel];
        }

        public int local(int tunnel) {
            return locals[tunnel];
        }

        public int remote(int tunnel) {
            return remotes[tunnel];
        }

        public int underlayAdjacency(int tunnel) {
            return underlayAdjacencies[tunnel];
        }

        public int txInterface(int tunnel) {
            return txInterfaces[tunnel];
        }

        public int mtu(int tunnel) {
            return mtus[tunnel];
        }

        /** Whether the tunnel is protected by ESP ({@link TunnelTable#protect}). */
        public boolean isProtected(int tunnel) {
            return protectedFlags[tunnel];
        }

        /** Bytes in front of (and after) the inner packet at most: 20, more with ESP. */
        public int overhead(int tunnel) {
            return overheads[tunnel];
        }

        /** The SA packets into the tunnel are encrypted with, or {@link TunnelTable#NO_SA}. */
        public int outboundSa(int tunnel) {
            return outboundSas[tunnel];
        }

        /** Whether {@code sa} is one of the tunnel's inbound SAs. */
        public boolean acceptsSa(int tunnel, int sa) {
            if (sa < 0) {
                return false;
            }
            int base = tunnel * MAX_INBOUND_SAS;
            for (int i = 0; i < MAX_INBOUND_SAS; i++) {
                if (inboundSas[base + i] == sa) {
                    return true;
                }
            }
            return false;
        }

        /** The tunnel a received outer packet from {@code source} to {@code destination} belongs to. */
        public int find(int source, int destination) {
            long key = key(source, destination);
            int s = slot(key);
            int t;
            while ((t = slotTunnels[s]) != NOT_FOUND) {
                if (slotKeys[s] == key) {
                    return t;
                }
                s = (s + 1) & slotMask;
            }
            return NOT_FOUND;
        }

        private int slot(long key) {
            // Fibonacci hashing: the high bits of key * 2^64/phi spread consecutive addresses.
            return (int) ((key * 0x9E37_79B9_7F4A_7C15L) >>> 40) & slotMask;
        }

        private static long key(int remote, int local) {
            return ((long) remote << 32) | (local & 0xFFFF_FFFFL);
        }
    }
}
