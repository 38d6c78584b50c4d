package dev.cipherlane.stages.neighbour;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Icmp6;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.NeighbourDiscovery;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Builds IPv6 Neighbor Solicitations that resolve a next hop (RFC 4861 section 7.2.2), at
 * most one per next hop per {@code intervalNanos} across all workers (the throttle is the
 * neighbour's INCOMPLETE entry in the {@link NeighbourTable}). The IPv6 twin of
 * {@link ArpRequester}: used by {@code ip6-nd-glean} on workers and usable by the control
 * plane with its own buffer cache.
 *
 * <p>The solicitation goes to the target's solicited-node multicast address, on Ethernet
 * 33:33:ff plus the target's low 24 bits, so only the nodes that may own the target are
 * interrupted (section 7.2.2), with hop limit 255 and our MAC in a Source Link-Layer
 * Address option.
 */
public final class Ip6NeighbourRequester {
    /** RFC 4861 section 10: RETRANS_TIMER, 1 s between solicitations for one target. */
    public static final long INTERVAL_DEFAULT = 1_000_000_000L;

    /** {@link #request} results other than a buffer index. */
    public static final int NO_BUFFER = -1;
    public static final int RATE_LIMITED = -2;
    public static final int RESOLVED = -4;

    /** Bytes of a solicitation frame from a numbered interface: Ethernet, IPv6, NS, one option. */
    public static final int FRAME_LENGTH = Ethernet.HEADER_LENGTH + Ip6.HEADER + NeighbourDiscovery.MESSAGE_LENGTH
            + NeighbourDiscovery.LINK_LAYER_OPTION_LENGTH;

    private final NeighbourTable neighbours;
    private final long intervalNanos;

    public Ip6NeighbourRequester(NeighbourTable neighbours, long intervalNanos) {
        if (neighbours == null) {
            throw new IllegalArgumentException("ip6 neighbour requester: a neighbour table is required");
        }
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("neighbour solicitation interval must be > 0 ns, got " + intervalNanos);
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
     * A solicitation for {@code targetHi:targetLo} to send on {@code itf}, as a new buffer
     * with {@code txInterface} set; or {@link #RATE_LIMITED} when one went out less than the
     * interval ago, {@link #RESOLVED} when the MAC became known meanwhile, or
     * {@link #NO_BUFFER} when the pool is empty (that attempt still counts for the throttle).
     */
    public int request(BufferCache buffers, NetInterface itf, long targetHi, long targetLo, long now) {
        switch (neighbours.claimRequest6(itf.index(), targetHi, targetLo, now, intervalNanos)) {
            case NeighbourTable.REQUEST_DUE -> {
                int source = sourceFor(itf, targetHi, targetLo);
                NetInterface.Ip6Address a = source < 0 ? null : itf.ip6().get(source);
                int bi = a == null
                        ? build(buffers, itf, 0, 0, targetHi, targetLo)
                        : build(buffers, itf, a.hi(), a.lo(), targetHi, targetLo);
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
     * A multicast solicitation for the target from {@code itf}, source address
     * {@code sourceHi:sourceLo}, no throttle. From the unspecified source (an unnumbered
     * interface) it carries no Source Link-Layer Address option, which section 7.1.1 forbids
     * there; the owner then answers to all nodes, and an answer for an INCOMPLETE entry is
     * still learned. Returns the buffer or -1 when the pool is empty.
     */
    public static int build(BufferCache buffers, NetInterface itf, long sourceHi, long sourceLo,
            long targetHi, long targetLo) {
        int bi = buffers.allocSmall();
        if (bi < 0) {
            return -1;
        }
        boolean unspecified = Ip6.isUnspecified(sourceHi, sourceLo);
        int icmpLength = NeighbourDiscovery.MESSAGE_LENGTH
                + (unspecified ? 0 : NeighbourDiscovery.LINK_LAYER_OPTION_LENGTH);
        long groupLo = NeighbourDiscovery.solicitedNodeLo(targetLo);
        PacketMemory mem = buffers.memory();
        MemorySegment data = mem.data();
        mem.length(bi, Ethernet.HEADER_LENGTH + Ip6.HEADER + icmpLength);
        long e = mem.start(bi);
        NeighbourDiscovery.writeEthernetHeader(data, e, NeighbourDiscovery.multicastMac(groupLo), itf.mac());
        long ip = e + Ethernet.HEADER_LENGTH;
        NeighbourDiscovery.writeIp6Header(data, ip, sourceHi, sourceLo,
                NeighbourDiscovery.SOLICITED_NODE_HI, groupLo, icmpLength);
        long icmp = ip + Ip6.HEADER;
        data.set(Net.U32, icmp + Icmp6.TYPE, Icmp6.NEIGHBOR_SOLICITATION << 24);
        data.set(Net.U32, icmp + NeighbourDiscovery.FLAGS, 0);
        data.set(Net.U64, icmp + NeighbourDiscovery.TARGET, targetHi);
        data.set(Net.U64, icmp + NeighbourDiscovery.TARGET + 8, targetLo);
        if (!unspecified) {
            NeighbourDiscovery.writeLinkLayerOption(data, icmp + NeighbourDiscovery.OPTIONS,
                    NeighbourDiscovery.SOURCE_LINK_LAYER_ADDRESS, itf.mac());
        }
        Icmp6.writeChecksum(data, ip, icmp, icmpLength);
        mem.txInterface(bi, itf.index());
        mem.l3Offset(bi, mem.dataOffset(bi) + Ethernet.HEADER_LENGTH);
        mem.setFlag(bi, PacketFlags.IP6);
        return bi;
    }

    /**
     * Index in {@code itf.ip6()} of the solicitation's source: an address whose prefix holds
     * the target (the neighbour then sees a source on its own subnet), else a
     * link-local address (always on-link, section 7.2.2 only asks for an address of the
     * interface), else the first address; -1 when the interface has none.
     */
    public static int sourceFor(NetInterface itf, long targetHi, long targetLo) {
        List<NetInterface.Ip6Address> addresses = itf.ip6();
        int count = addresses.size();
        int linkLocal = -1;
        for (int i = 0; i < count; i++) {
            NetInterface.Ip6Address a = addresses.get(i);
            if (sameSubnet(a, targetHi, targetLo)) {
                return i;
            }
            if (linkLocal < 0 && Ip6.isLinkLocal(a.hi())) {
                linkLocal = i;
            }
        }
        if (linkLocal >= 0) {
            return linkLocal;
        }
        return count > 0 ? 0 : -1;
    }

    private static boolean sameSubnet(NetInterface.Ip6Address a, long hi, long lo) {
        long maskHi = Prefixes.mask6Hi(a.prefixLength());
        long maskLo = Prefixes.mask6Lo(a.prefixLength());
        return (a.hi() & maskHi) == (hi & maskHi) && (a.lo() & maskLo) == (lo & maskLo);
    }
}
