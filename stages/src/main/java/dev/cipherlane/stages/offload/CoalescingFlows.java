package dev.cipherlane.stages.offload;

import dev.cipherlane.stages.graph.Frame;

/**
 * One worker's TCP flows being coalesced within the current frame: an open-addressing table
 * from the flow key (IP version, addresses, ports) to a flow slot, and per slot the packet
 * being built. Lives only for one frame: {@code gro} flushes every flow and calls
 * {@link #clear} before returning, so nothing waits across frames and no timer is needed.
 * Touched by its own worker only; all arrays are allocated once.
 *
 * <p>The key of the packet at hand is loaded into the {@code key*} fields first (by the
 * stage), then {@link #find} or {@link #insert} look it up; that keeps the per-packet path
 * free of return objects.
 */
final class CoalescingFlows {
    /** A frame holds at most this many packets, hence at most this many flows. */
    static final int MAX_FLOWS = Frame.CAPACITY;
    /** Twice the flows, a power of two: probes stay short at load 1/2. */
    private static final int SLOTS = 2 * MAX_FLOWS;
    private static final long MIX = 0x9E37_79B9_7F4A_7C15L;

    // Key of the packet at hand.
    int keyVersion;
    long keyA;
    long keyB;
    long keyC;
    long keyD;
    int keyPorts;
    // Layout of the packet at hand: IP datagram length, TCP header offset, all headers.
    int atIpLength;
    int atTcpOffset;
    int atHeaders;

    private final int[] table = new int[SLOTS];
    private final long[] keys = new long[MAX_FLOWS * 4];
    private final int[] versions = new int[MAX_FLOWS];
    private final int[] ports = new int[MAX_FLOWS];
    private final int[] slotOf = new int[MAX_FLOWS];
    private int flows;

    /** Packet being built per flow: a held first segment, or a super-packet; -1 when idle. */
    final int[] packet = new int[MAX_FLOWS];
    /** Whether {@code packet} is a super-packet of ours (else the held original segment). */
    final boolean[] merged = new boolean[MAX_FLOWS];
    /** Sequence number the next segment must carry. */
    final int[] nextSequence = new int[MAX_FLOWS];
    /** Payload of the first segment: every segment but the last must carry exactly this. */
    final int[] mss = new int[MAX_FLOWS];
    /** IP datagram length built so far (headers plus payload). */
    final int[] ipLength = new int[MAX_FLOWS];
    /** Offset of the TCP header from the IP header, and all headers, of the first segment. */
    final int[] tcpOffset = new int[MAX_FLOWS];
    final int[] headers = new int[MAX_FLOWS];

    int flows() {
        return flows;
    }

    /** IP version of flow {@code f}. */
    int version(int f) {
        return versions[f];
    }

    /** The slot of the key at hand, or -1. */
    int find() {
        int mask = SLOTS - 1;
        for (int at = hash() & mask; ; at = (at + 1) & mask) {
            int f = table[at] - 1;
            if (f < 0) {
                return -1;
            }
            if (matches(f)) {
                return f;
            }
        }
    }

    /** A new idle slot for the key at hand (not present), or -1 when every slot is taken. */
    int insert() {
        if (flows == MAX_FLOWS) {
            return -1;
        }
        int mask = SLOTS - 1;
        int at = hash() & mask;
        while (table[at] != 0) {
            at = (at + 1) & mask;
        }
        int f = flows++;
        table[at] = f + 1;
        slotOf[f] = at;
        versions[f] = keyVersion;
        keys[4 * f] = keyA;
        keys[4 * f + 1] = keyB;
        keys[4 * f + 2] = keyC;
        keys[4 * f + 3] = keyD;
        ports[f] = keyPorts;
        packet[f] = -1;
        return f;
    }

    /** Forgets every flow; their packets must have been flushed. */
    void clear() {
        for (int f = 0; f < flows; f++) {
            table[slotOf[f]] = 0;
        }
        flows = 0;
    }

    private boolean matches(int f) {
        return versions[f] == keyVersion && ports[f] == keyPorts
                && keys[4 * f] == keyA && keys[4 * f + 1] == keyB
                && keys[4 * f + 2] == keyC && keys[4 * f + 3] == keyD;
    }

    private int hash() {
        long x = (keyA ^ keyVersion) * MIX;
        x = (x ^ keyB) * MIX;
        x = (x ^ keyC) * MIX;
        x = (x ^ keyD) * MIX;
        x = (x ^ Integer.toUnsignedLong(keyPorts)) * MIX;
        return (int) (x ^ (x >>> 32));
    }
}
