package dev.cipherlane.stages.tunnel;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.IcmpErrorRequest;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Puts an inner IPv4 (RFC 2003) or IPv6 (RFC 4213) packet into an IPIP tunnel: prepends the
 * 20-byte outer IPv4 header in the headroom and hands the packet to {@code ip4-rewrite} on the
 * tunnel's underlay adjacency. The packet starts at the inner IP header and {@code nextHop} is
 * the tunnel adjacency the lookup chose ({@code AdjacencyTable.addTunnel}); the ECMP choice
 * among several tunnels to one peer was the lookup's load balancer, by the symmetric flow hash.
 *
 * <p>The outer header (RFC 2003 section 3.1): version 4, IHL 5; DSCP copied from the inner
 * header and ECN copied too, RFC 6040 section 4.1 normal mode; total length; identification 0
 * with DF set, which RFC 6864 section 4.1 allows for atomic datagrams, and which keeps the
 * stage free of per-worker state; TTL {@link TunnelHeader#OUTER_TTL}; protocol 4 or 41;
 * source and destination from the tunnel; header checksum.
 *
 * <p>Entering the tunnel is a hop of the inner network (RFC 2003 section 3.1): the inner TTL or
 * hop limit is decremented here, just before the outer header goes on, and a packet whose TTL
 * is spent gets Time Exceeded on {@code icmp4-error} / {@code icmp6-error} instead. GSO
 * super-packets are checked but not decremented; their segments are, when they come back.
 *
 * <p>Size. An inner packet that would make the outer one larger than the tunnel MTU is not
 * encapsulated. The tunnel is a link of MTU {@code tunnel MTU - 20} to the inner network
 * (RFC 4213 section 3.2, RFC 2003 section 5.1), so: IPv4 with DF set gets Fragmentation Needed
 * with that MTU (RFC 1191 section 4) on {@code icmp4-error}; IPv6 gets Packet Too Big (RFC 4443
 * section 3.2) on {@code icmp6-error}; IPv4 without DF is dropped, as in {@code ip4-rewrite},
 * because this dataplane does not fragment.
 *
 * <p>GSO super-packets ({@code gsoSize > 0}) leave unencapsulated on {@code gso}, to be cut
 * into segments that come back here (so do packets whose L4 checksum a pod left partial, to
 * have it completed), each then encapsulated and MTU-checked like any packet.
 * Segmenting first means the segmenter only ever sees plain TCP/IP and the outer header is
 * never replicated; the segments keep {@code nextHop}, so they return to the same tunnel.
 *
 * <p>A tunnel protected by ESP ({@link TunnelTable#protect}) sends the outer packet to {@code esp}
 * instead, with the tunnel's outbound SA in {@code saIndex}; its MTU check reserves the
 * protection's overhead, so the ICMP errors above carry the MTU the pods can really use.
 *
 * <p>An underlay adjacency still waiting for ARP sends the outer packet to {@code glean}
 * ({@code arp-glean}) instead, which resolves the next hop and drops the packet meanwhile.
 *
 * <p>On {@code rewrite}: {@code nextHop} = the tunnel's underlay adjacency, {@code txInterface}
 * its interface, the IP6 flag cleared (the packet is IPv4 now), {@code l3Offset} at the outer
 * header and the flow hash kept, so the outer packet stays on one underlay path too.
 */
public final class TunnelEncap extends Stage<TunnelEncap.Params> {
    public static final String NAME = "ipip-encap";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REWRITE, GSO, ICMP4_ERROR, ICMP6_ERROR, GLEAN, ESP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_SUCH_TUNNEL("no such tunnel"),
        INNER_NOT_IP("inner packet not ip"),
        MTU_EXCEEDED("tunnel mtu exceeded"),
        FRAGMENTATION_NOT_SUPPORTED("fragmentation not supported"),
        NO_HEADROOM("no headroom for outer header"),
        INNER_TTL_EXPIRED("inner ttl expired");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    private static final int VERSION_IHL = 0x45;
    private static final int IP6_TRAFFIC_CLASS_SHIFT = 20;
    private static final int ICMP4_TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_TIME_EXCEEDED, 0, 0);
    private static final int ICMP6_TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_TIME_EXCEEDED, 0, 0);

    /**
     * @param forwarding the current forwarding tables, for the tunnel adjacency's tunnel index; read once per frame
     * @param tunnels    the current tunnel snapshot; read once per frame
     * @param counters   per-tunnel counters, or null for none
     */
    public record Params(Supplier<ForwardingTables> forwarding, Supplier<TunnelTable.Snapshot> tunnels,
                         TunnelCounters counters) {
        public Params(Supplier<ForwardingTables> forwarding, Supplier<TunnelTable.Snapshot> tunnels) {
            this(forwarding, tunnels, null);
        }
    }

    public TunnelEncap(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.forwarding() == null || p.tunnels() == null) {
            throw new IllegalArgumentException(NAME + ": forwarding tables and tunnels are required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        AdjacencyTable.Snapshot adjs = p.forwarding().get().adjacencies();
        TunnelTable.Snapshot tunnels = p.tunnels().get();
        TunnelCounters counters = p.counters();
        int worker = ctx.worker();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int adj = mem.nextHop(bi);
            int tunnel = adj >= 0 && adj < adjs.size() ? adjs.tunnel(adj) : AdjacencyTable.NO_TUNNEL;
            if (!tunnels.contains(tunnel)) {
                ctx.drop(bi, Errors.NO_SUCH_TUNNEL);
                continue;
            }
            int innerLength = mem.length(bi);
            long inner = mem.start(bi);
            int version = innerLength > 0 ? Byte.toUnsignedInt(data.get(Net.U8, inner)) >>> 4 : 0;
            int protocol;
            int tos;
            if (version == 4 && innerLength >= Ip4.MIN_HEADER) {
                protocol = IpProtocol.IPIP4;
                tos = Byte.toUnsignedInt(data.get(Net.U8, inner + Ip4.TOS));
            } else if (version == 6 && innerLength >= Ip6.HEADER) {
                protocol = IpProtocol.IPIP6;
                tos = (data.get(Net.U32, inner + Ip6.VERSION_CLASS_FLOW) >>> IP6_TRAFFIC_CLASS_SHIFT) & 0xFF;
            } else {
                ctx.drop(bi, Errors.INNER_NOT_IP);
                continue;
            }
            if (innerExpired(ctx, mem, data, bi, inner, protocol)) {
                continue;
            }
            // A partial checksum is completed there too: inside the tunnel it is payload, and
            // nothing after us knows where it is.
            if (mem.gsoSize(bi) > 0 || mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)) {
                ctx.enqueue(Arcs.GSO, bi);
                continue;
            }
            int mtu = tunnels.mtu(tunnel);
            int overhead = tunnels.overhead(tunnel);
            if (innerLength + overhead > mtu) {
                tooBig(ctx, mem, data, bi, inner, protocol, mtu - overhead);
                continue;
            }
            if (mem.dataOffset(bi) < TunnelHeader.OUTER_LENGTH) {
                ctx.drop(bi, Errors.NO_HEADROOM);
                continue;
            }
            decrementInnerTtl(data, inner, protocol);
            mem.push(bi, TunnelHeader.OUTER_LENGTH);
            long outer = inner - TunnelHeader.OUTER_LENGTH;
            writeOuter(data, outer, tos, innerLength + TunnelHeader.OUTER_LENGTH, protocol,
                    tunnels.local(tunnel), tunnels.remote(tunnel));
            int underlay = tunnels.underlayAdjacency(tunnel);
            mem.nextHop(bi, underlay);
            mem.txInterface(bi, tunnels.txInterface(tunnel));
            mem.clearFlag(bi, PacketFlags.IP6);
            mem.l3Offset(bi, mem.dataOffset(bi));
            if (counters != null) {
                counters.transmitted(worker, tunnel, mem.length(bi));
            }
            if (tunnels.isProtected(tunnel)) {
                // ESP goes on next; with no SA yet esp-encrypt drops it: fail closed.
                mem.saIndex(bi, tunnels.outboundSa(tunnel));
                ctx.enqueue(Arcs.ESP, bi);
                continue;
            }
            // Until the peer's next hop answers ARP its adjacency is INCOMPLETE: arp-glean asks
            // for it (at most once a second) and drops the packet, as for any unresolved route.
            boolean resolved = underlay < adjs.size() && adjs.kind(underlay) == AdjacencyKind.REWRITE;
            ctx.enqueue(resolved ? Arcs.REWRITE : Arcs.GLEAN, bi);
        }
    }

    /**
     * Whether the inner TTL / hop limit is spent; if so the packet has gone for Time Exceeded
     * (RFC 1812 section 5.3.1, RFC 4443 section 3.3), quoting it as received.
     */
    private static boolean innerExpired(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long inner,
            int protocol) {
        boolean ip6 = protocol == IpProtocol.IPIP6;
        int ttl = Byte.toUnsignedInt(data.get(Net.U8, inner + (ip6 ? Ip6.HOP_LIMIT : Ip4.TTL)));
        if (ttl > 1) {
            return false;
        }
        mem.opaque(bi, ip6 ? ICMP6_TIME_EXCEEDED : ICMP4_TIME_EXCEEDED);
        ctx.count(Errors.INNER_TTL_EXPIRED, 1);
        ctx.enqueue(ip6 ? Arcs.ICMP6_ERROR : Arcs.ICMP4_ERROR, bi);
        return true;
    }

    /**
     * Forwarding the inner packet into the tunnel is a hop of the inner network: its TTL / hop
     * limit drops by one here (RFC 2003 section 3.1), the IPv4 checksum updated incrementally
     * (RFC 1624 equation 3). {@code ip4-rewrite} then decrements only the outer header.
     */
    private static void decrementInnerTtl(MemorySegment data, long inner, int protocol) {
        if (protocol == IpProtocol.IPIP6) {
            int hopLimit = Byte.toUnsignedInt(data.get(Net.U8, inner + Ip6.HOP_LIMIT));
            data.set(Net.U8, inner + Ip6.HOP_LIMIT, (byte) (hopLimit - 1));
            return;
        }
        int ttlProtocol = Short.toUnsignedInt(data.get(Net.U16, inner + Ip4.TTL));
        int decremented = ttlProtocol - 0x100;
        data.set(Net.U16, inner + Ip4.TTL, (short) decremented);
        int checksum = Short.toUnsignedInt(data.get(Net.U16, inner + Ip4.CHECKSUM));
        data.set(Net.U16, inner + Ip4.CHECKSUM, (short) Checksum.update(checksum, ttlProtocol, decremented));
    }

    /** The inner packet does not fit the tunnel: an ICMP error about it, or a drop (class comment). */
    private static void tooBig(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long inner,
            int protocol, int innerMtu) {
        if (protocol == IpProtocol.IPIP6) {
            mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_PACKET_TOO_BIG, 0, innerMtu));
            ctx.count(Errors.MTU_EXCEEDED, 1);
            ctx.enqueue(Arcs.ICMP6_ERROR, bi);
        } else if ((data.get(Net.U16, inner + Ip4.FLAGS_FRAGMENT) & Ip4.DONT_FRAGMENT) != 0) {
            mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_UNREACHABLE,
                    IcmpErrorRequest.ICMP4_FRAGMENTATION_NEEDED, innerMtu));
            ctx.count(Errors.MTU_EXCEEDED, 1);
            ctx.enqueue(Arcs.ICMP4_ERROR, bi);
        } else {
            ctx.drop(bi, Errors.FRAGMENTATION_NOT_SUPPORTED);
        }
    }

    /** Writes the 20-byte outer header at {@code outer}, checksum last (RFC 791 section 3.1). */
    private static void writeOuter(MemorySegment data, long outer, int tos, int totalLength, int protocol,
            int source, int destination) {
        data.set(Net.U8, outer + Ip4.VERSION_IHL, (byte) VERSION_IHL);
        data.set(Net.U8, outer + Ip4.TOS, (byte) tos);
        data.set(Net.U16, outer + Ip4.TOTAL_LENGTH, (short) totalLength);
        data.set(Net.U16, outer + Ip4.IDENTIFICATION, (short) 0);
        data.set(Net.U16, outer + Ip4.FLAGS_FRAGMENT, (short) Ip4.DONT_FRAGMENT);
        data.set(Net.U8, outer + Ip4.TTL, (byte) TunnelHeader.OUTER_TTL);
        data.set(Net.U8, outer + Ip4.PROTOCOL, (byte) protocol);
        data.set(Net.U16, outer + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U32, outer + Ip4.SOURCE, source);
        data.set(Net.U32, outer + Ip4.DESTINATION, destination);
        data.set(Net.U16, outer + Ip4.CHECKSUM,
                (short) Checksum.compute(data, outer, TunnelHeader.OUTER_LENGTH));
    }

    /** Traced on entry: the inner packet and the tunnel adjacency the lookup chose. */
    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int length = mem.length(bi);
        int version = length > 0 ? mem.u8(bi, 0) >>> 4 : 0;
        String inner = version == 4 && length >= Ip4.MIN_HEADER
                ? Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                : "ip" + version;
        return "tunnel adjacency " + mem.nextHop(bi) + " inner " + inner + " length " + length
                + (mem.gsoSize(bi) > 0 ? " gso " + mem.gsoSize(bi) : "");
    }
}
