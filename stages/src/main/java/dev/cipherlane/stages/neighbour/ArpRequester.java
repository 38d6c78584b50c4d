package dev.cipherlane.stages.neighbour;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Arp;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Builds ARP requests that resolve a next hop, at most one per next hop per
 * {@code intervalNanos} across all workers (the throttle is the neighbour's INCOMPLETE
 * entry in the {@link NeighbourTable}). Used by {@code arp-glean} on workers and usable by
 * the control plane with its own buffer cache.
 */
public final class ArpRequester {
    /** RFC 1122 section 2.3.2.1: at most one ARP request per destination per second. */
    public static final long INTERVAL_DEFAULT = 1_000_000_000L;

    /** {@link #request} results other than a buffer index. */
    public static final int NO_BUFFER = -1;
    public static final int RATE_LIMITED = -2;
    public static final int RESOLVED = -4;

    /** Bytes of a request frame: Ethernet header and ARP packet, no padding. */
    public static final int FRAME_LENGTH = Ethernet.HEADER_LENGTH + Arp.LENGTH;

    private final NeighbourTable neighbours;
    private final long intervalNanos;

    public ArpRequester(NeighbourTable neighbours, long intervalNanos) {
        if (neighbours == null) {
            throw new IllegalArgumentException("arp requester: a neighbour table is required");
        }
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("arp request interval must be > 0 ns, got " + intervalNanos);
        }
        this.neighbours = neighbours;
        this.intervalNanos = intervalNanos;
    }

    public NeighbourTable neighbours() {
        return neighbours;
    }

    public long intervalNanos() {
        return intervalNanos;
    }

    /**
     * A request for {@code target} to send on {@code itf}, as a new buffer with
     * {@code txInterface} set; or {@link #RATE_LIMITED} when one went out less than the
     * interval ago, {@link #RESOLVED} when the MAC became known meanwhile, or
     * {@link #NO_BUFFER} when the pool is empty (that attempt still counts for the
     * throttle: with no buffers a retry would not fare better).
     */
    public int request(BufferCache buffers, NetInterface itf, int target, long now) {
        switch (neighbours.claimRequest4(itf.index(), target, now, intervalNanos)) {
            case NeighbourTable.REQUEST_DUE -> {
                int bi = build(buffers, itf, sourceFor(itf, target), target);
                return bi < 0 ? NO_BUFFER : bi;
            }
            case NeighbourTable.REQUEST_RECENT -> {
                return RATE_LIMITED;
            }
            default -> { // NeighbourTable.REQUEST_RESOLVED: a request is always tracked
                return RESOLVED;
            }
        }
    }

    /**
     * A broadcast who-has {@code target} tell {@code sender} frame from {@code itf} (RFC 826),
     * target hardware address zero (RFC 826 leaves it unspecified), no throttle. Returns the
     * buffer or -1 when the pool is empty.
     */
    public static int build(BufferCache buffers, NetInterface itf, int sender, int target) {
        int bi = buffers.allocSmall();
        if (bi < 0) {
            return -1;
        }
        PacketMemory mem = buffers.memory();
        MemorySegment data = mem.data();
        mem.length(bi, FRAME_LENGTH);
        long e = mem.start(bi);
        Ethernet.writeMac(data, e + Ethernet.DESTINATION, Ethernet.BROADCAST);
        Ethernet.writeMac(data, e + Ethernet.SOURCE, itf.mac());
        data.set(Net.U16, e + Ethernet.ETHERTYPE, (short) Ethernet.ETHERTYPE_ARP);
        long a = e + Ethernet.HEADER_LENGTH;
        data.set(Net.U16, a + Arp.HARDWARE_TYPE, (short) Arp.HARDWARE_ETHERNET);
        data.set(Net.U16, a + Arp.PROTOCOL_TYPE, (short) Ethernet.ETHERTYPE_IP4);
        data.set(Net.U8, a + Arp.HARDWARE_LENGTH, (byte) Arp.MAC_LENGTH);
        data.set(Net.U8, a + Arp.PROTOCOL_LENGTH, (byte) Arp.IP4_LENGTH);
        data.set(Net.U16, a + Arp.OPCODE, (short) Arp.REQUEST);
        Ethernet.writeMac(data, a + Arp.SENDER_MAC, itf.mac());
        data.set(Net.U32, a + Arp.SENDER_IP, sender);
        Ethernet.writeMac(data, a + Arp.TARGET_MAC, 0L);
        data.set(Net.U32, a + Arp.TARGET_IP, target);
        mem.txInterface(bi, itf.index());
        mem.l3Offset(bi, mem.dataOffset(bi) + Ethernet.HEADER_LENGTH);
        return bi;
    }

    /**
     * The sender address for a request: the interface address whose subnet holds the
     * target (so the neighbour can answer on-link), else the interface's first address,
     * else 0.0.0.0 on an unnumbered interface (the neighbour still answers, as to an
     * RFC 5227 probe).
     */
    public static int sourceFor(NetInterface itf, int target) {
        List<NetInterface.Ip4Address> addresses = itf.ip4();
        for (int i = 0, n = addresses.size(); i < n; i++) {
            NetInterface.Ip4Address a = addresses.get(i);
            int mask = Prefixes.mask4(a.prefixLength());
            if ((a.address() & mask) == (target & mask)) {
                return a.address();
            }
        }
        return addresses.isEmpty() ? 0 : addresses.get(0).address();
    }
}
