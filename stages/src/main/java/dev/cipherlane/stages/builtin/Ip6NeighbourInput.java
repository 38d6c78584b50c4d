package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Icmp6;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.NeighbourDiscovery;
import java.lang.foreign.MemorySegment;

/**
 * {@code ip6-nd-input}: IPv6 packets for one of our addresses or for a link-scope group we
 * listen to (solicited-node, all-nodes), as {@code ip6-lookup} hands them on; packet start =
 * IPv6 header. Neighbor Solicitations and Advertisements (RFC 4861) are handled here, the
 * IPv6 twin of {@code arp-input}; everything else (other ICMPv6 such as echo, router
 * discovery and redirects, and every other protocol) leaves untouched on {@code punt}.
 *
 * <p><b>Validation</b> (sections 7.1.1 and 7.1.2), each failure a named drop: hop limit 255
 * (the message was not forwarded by a router), ICMPv6 checksum, code 0, at least 24 bytes,
 * target not multicast, no option of length zero or running past the end, a link-layer
 * address option of Ethernet size (RFC 2464 section 8). A solicitation from the unspecified
 * address (duplicate address detection) must go to a solicited-node group and carry no
 * Source Link-Layer Address option; an advertisement to a multicast group must not have
 * the Solicited flag. Fragmented neighbour discovery is dropped (RFC 6980 section 5). As in
 * {@code arp-input}, a link-layer address that is zero or a group address is refused
 * (RFC 1812 section 3.3.2) and a sender using an address of the rx interface is an address
 * conflict, never learned.
 *
 * <p><b>Solicitations</b> for an address of the rx interface (link-local ones included) are
 * answered (section 7.2.4) with an advertisement built in the same buffer: source the target,
 * Override set, the Router flag when {@code router}, our MAC in a Target Link-Layer Address
 * option, hop limit 255. Answering a solicitation from a unicast source, it is unicast back
 * with the Solicited flag, to the MAC of the Source Link-Layer Address option or, without
 * one, the neighbour table's; answering duplicate address detection, it goes to all nodes
 * (ff02::1) without the Solicited flag, which tells the prober the address is taken. It
 * leaves on {@code reply} with its Ethernet header and {@code txInterface} set, for
 * {@code ethernet-output}. The sender is learned from its Source Link-Layer Address option
 * (section 7.2.3), if the rx interface can have it ({@link LearningPolicy}: the pod's own
 * addresses on its tap, the uplink's subnets on the uplink); any other sender is still
 * answered, to the Source Link-Layer Address, but not learned, and counted under "nd sender
 * not learned". Solicitations for other addresses are dropped as "not for us".
 *
 * <p><b>Advertisements</b> update the neighbour table as ARP replies do (section 7.2.5): an
 * INCOMPLETE entry (we asked) takes the Target Link-Layer Address; a known one is confirmed
 * when the Solicited flag is set and takes a new address only with the Override flag;
 * unknown neighbours are not created. Two simplifications of the section 7.3.2 states,
 * which {@link NeighbourTable} does not keep apart: an entry updated by an unsolicited
 * advertisement becomes REACHABLE rather than STALE, and a non-overriding advertisement with
 * a different address leaves the entry as it is rather than making it STALE. Every
 * advertisement is consumed under a reason that says what it did, so {@code show errors}
 * reads as a neighbour discovery log; answers are counted under "neighbour advertisements
 * sent" without a drop.
 */
public final class Ip6NeighbourInput extends Stage<Ip6NeighbourInput.Params> {
    public static final String NAME = "ip6-nd-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REPLY, PUNT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown interface"),
        MALFORMED_IP6("ip6 header malformed"),
        ICMP6_TRUNCATED("icmp6 header truncated"),
        FRAGMENTED("nd fragmented"),
        BAD_HOP_LIMIT("nd hop limit not 255"),
        BAD_CHECKSUM("icmp6 checksum invalid"),
        BAD_CODE("nd code not 0"),
        TOO_SHORT("nd message too short"),
        MULTICAST_TARGET("nd target is multicast"),
        OPTION_ZERO_LENGTH("nd option length 0"),
        OPTION_TRUNCATED("nd option truncated"),
        BAD_LINK_LAYER_OPTION("nd link-layer address option not ethernet"),
        DAD_NOT_TO_SOLICITED_NODE("nd unspecified source not to solicited-node group"),
        DAD_WITH_LINK_LAYER_ADDRESS("nd unspecified source with link-layer address"),
        SOLICITED_TO_MULTICAST("nd solicited advertisement to multicast"),
        BAD_MAC("nd link-layer address is zero or multicast"),
        ADDRESS_CONFLICT("nd sender uses our address"),
        SOLICITATION_NOT_FOR_US("neighbour solicitation not for us"),
        SOURCE_MAC_UNKNOWN("neighbour solicitation source mac unknown"),
        NO_ROOM("no room for neighbour advertisement"),
        ADVERTISEMENT_LEARNED("neighbour advertisement learned"),
        ADVERTISEMENT_REFRESHED("neighbour advertisement refreshed neighbour"),
        ADVERTISEMENT_UNCHANGED("neighbour advertisement changed nothing"),
        ADVERTISEMENT_NOT_OVERRIDING("neighbour advertisement not overriding"),
        ADVERTISEMENT_UNKNOWN("neighbour advertisement for unknown neighbour"),
        ADVERTISEMENT_STATIC("neighbour advertisement for static neighbour"),
        ADVERTISEMENT_NO_ADDRESS("neighbour advertisement without link-layer address"),
        DUPLICATE_ADDRESS("neighbour advertisement for our address"),
        ADVERTISEMENTS_SENT("neighbour advertisements sent"),
        SENDER_NOT_LEARNED("nd sender not learned (not an address the interface can have)");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /** IPv6, Neighbor Advertisement, Target Link-Layer Address option. */
    static final int ADVERTISEMENT_ICMP_LENGTH = NeighbourDiscovery.MESSAGE_LENGTH
            + NeighbourDiscovery.LINK_LAYER_OPTION_LENGTH;
    static final int ADVERTISEMENT_IP_LENGTH = Ip6.HEADER + ADVERTISEMENT_ICMP_LENGTH;

    private static final int REPLY_FLAGS_CLEARED = PacketFlags.LOCAL | PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID;

    /**
     * @param interfaces the rx interface's MAC and addresses
     * @param neighbours where senders and advertised targets are learned
     * @param router whether our advertisements carry the Router flag (RFC 4861 section 4.4):
     *     true for the node service, which forwards
     */
    public record Params(InterfaceTable interfaces, NeighbourTable neighbours, boolean router) {
        public Params(InterfaceTable interfaces, NeighbourTable neighbours) {
            this(interfaces, neighbours, true);
        }
    }

    public Ip6NeighbourInput(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.interfaces() == null || p.neighbours() == null) {
            throw new IllegalArgumentException(NAME + ": interfaces and neighbours are required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params params = params();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int outcome = handle(params, ctx, mem, data, bi);
            if (outcome == Arcs.REPLY.ordinal()) {
                ctx.count(Errors.ADVERTISEMENTS_SENT, 1);
                ctx.enqueue(Arcs.REPLY, bi);
            } else if (outcome == Arcs.PUNT.ordinal()) {
                ctx.enqueue(Arcs.PUNT, bi);
            } else {
                ctx.drop(bi, -outcome - 1);
            }
        }
    }

    /**
     * Handles one packet: returns {@link #Arcs.REPLY} when it has become our advertisement,
     * {@link #Arcs.PUNT} when it is not neighbour discovery, else {@code -(error + 1)}.
     */
    private static int handle(Params params, StageContext ctx, PacketMemory mem, MemorySegment data, int bi) {
        NetInterface rx = params.interfaces().get(mem.rxInterface(bi));
        if (rx == null) {
            return drop(Errors.UNKNOWN_INTERFACE.ordinal());
        }
        int frameLength = mem.length(bi);
        if (frameLength < Ip6.HEADER) {
            return drop(Errors.MALFORMED_IP6.ordinal());
        }
        long ip = mem.start(bi);
        int ipLength = Ip6.HEADER + Short.toUnsignedInt(data.get(Net.U16, ip + Ip6.PAYLOAD_LENGTH));
        if (ipLength > frameLength) {
            return drop(Errors.MALFORMED_IP6.ordinal());
        }
        int walk = Ip6.walk(data, ip, ipLength);
        if (walk < 0) {
            return drop(Errors.MALFORMED_IP6.ordinal());
        }
        // A later fragment has no ICMPv6 header where the walk stopped: not ours to read.
        if (Ip6.walkNextHeader(walk) != IpProtocol.ICMP6 || (walk & Ip6.WALK_LATER_FRAGMENT) != 0) {
            return Arcs.PUNT.ordinal();
        }
        int at = Ip6.walkOffset(walk);
        int icmpLength = ipLength - at;
        if (icmpLength < Icmp6.HEADER) {
            return drop(Errors.ICMP6_TRUNCATED.ordinal());
        }
        long icmp = ip + at;
        int type = Byte.toUnsignedInt(data.get(Net.U8, icmp + Icmp6.TYPE));
        if (type != Icmp6.NEIGHBOR_SOLICITATION && type != Icmp6.NEIGHBOR_ADVERTISEMENT) {
            return Arcs.PUNT.ordinal();
        }
        if ((walk & Ip6.WALK_FRAGMENT) != 0) {
            return drop(Errors.FRAGMENTED.ordinal());
        }
        if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip6.HOP_LIMIT)) != NeighbourDiscovery.HOP_LIMIT) {
            return drop(Errors.BAD_HOP_LIMIT.ordinal());
        }
        if (!Icmp6.verify(data, ip, icmp, icmpLength)) {
            return drop(Errors.BAD_CHECKSUM.ordinal());
        }
        if (data.get(Net.U8, icmp + Icmp6.CODE) != 0) {
            return drop(Errors.BAD_CODE.ordinal());
        }
        if (icmpLength < NeighbourDiscovery.MESSAGE_LENGTH) {
            return drop(Errors.TOO_SHORT.ordinal());
        }
        long targetHi = data.get(Net.U64, icmp + NeighbourDiscovery.TARGET);
        long targetLo = data.get(Net.U64, icmp + NeighbourDiscovery.TARGET + 8);
        if (Ip6.isMulticast(targetHi)) {
            return drop(Errors.MULTICAST_TARGET.ordinal());
        }
        int optionType = type == Icmp6.NEIGHBOR_SOLICITATION
                ? NeighbourDiscovery.SOURCE_LINK_LAYER_ADDRESS
                : NeighbourDiscovery.TARGET_LINK_LAYER_ADDRESS;
        long mac = NeighbourDiscovery.linkLayerAddress(data, icmp + NeighbourDiscovery.OPTIONS, icmp + icmpLength,
                optionType);
        if (mac == NeighbourDiscovery.OPTION_ZERO_LENGTH) {
            return drop(Errors.OPTION_ZERO_LENGTH.ordinal());
        }
        if (mac == NeighbourDiscovery.OPTION_TRUNCATED) {
            return drop(Errors.OPTION_TRUNCATED.ordinal());
        }
        if (mac == NeighbourDiscovery.OPTION_BAD_ADDRESS_LENGTH) {
            return drop(Errors.BAD_LINK_LAYER_OPTION.ordinal());
        }
        if (type == Icmp6.NEIGHBOR_SOLICITATION) {
            return solicitation(params, ctx, mem, data, bi, rx, ip, targetHi, targetLo, mac);
        }
        int flags = data.get(Net.U32, icmp + NeighbourDiscovery.FLAGS);
        return advertisement(params.neighbours(), ctx.now(), data, rx, ip, flags, targetHi, targetLo, mac);
    }

    /** Sections 7.1.1, 7.2.3 and 7.2.4; {@code mac} is the Source Link-Layer Address or {@link NeighbourDiscovery#NO_OPTION}. */
    private static int solicitation(Params params, StageContext ctx, PacketMemory mem, MemorySegment data, int bi,
            NetInterface rx, long ip, long targetHi, long targetLo, long mac) {
        long srcHi = data.get(Net.U64, ip + Ip6.SOURCE);
        long srcLo = data.get(Net.U64, ip + Ip6.SOURCE + 8);
        boolean dad = Ip6.isUnspecified(srcHi, srcLo);
        boolean hasMac = mac != NeighbourDiscovery.NO_OPTION;
        if (dad && !NeighbourDiscovery.isSolicitedNode(data.get(Net.U64, ip + Ip6.DESTINATION),
                data.get(Net.U64, ip + Ip6.DESTINATION + 8))) {
            return drop(Errors.DAD_NOT_TO_SOLICITED_NODE.ordinal());
        }
        if (dad && hasMac) {
            return drop(Errors.DAD_WITH_LINK_LAYER_ADDRESS.ordinal());
        }
        if (hasMac && !usableMac(mac)) {
            return drop(Errors.BAD_MAC.ordinal());
        }
        if (!dad && rx.owns6(srcHi, srcLo)) {
            return drop(Errors.ADDRESS_CONFLICT.ordinal());
        }
        if (!rx.owns6(targetHi, targetLo)) {
            return drop(Errors.SOLICITATION_NOT_FOR_US.ordinal());
        }
        NeighbourTable neighbours = params.neighbours();
        if (hasMac) {
            if (neighbours.learning().allows6(rx.index(), srcHi, srcLo)) {
                neighbours.learn6(rx.index(), srcHi, srcLo, mac, ctx.now());
            } else {
                ctx.count(Errors.SENDER_NOT_LEARNED, 1);
            }
        }
        int flags = NeighbourDiscovery.OVERRIDE | (params.router() ? NeighbourDiscovery.ROUTER : 0);
        long dstHi;
        long dstLo;
        long dstMac;
        if (dad) {
            dstHi = NeighbourDiscovery.ALL_NODES_HI;
            dstLo = NeighbourDiscovery.ALL_NODES_LO;
            dstMac = NeighbourDiscovery.multicastMac(dstLo);
        } else {
            flags |= NeighbourDiscovery.SOLICITED;
            dstHi = srcHi;
            dstLo = srcLo;
            dstMac = hasMac ? mac : neighbours.lookup6(rx.index(), srcHi, srcLo);
            if (dstMac == NeighbourTable.NONE) {
                return drop(Errors.SOURCE_MAC_UNKNOWN.ordinal());
            }
        }
        if (mem.dataOffset(bi) < Ethernet.HEADER_LENGTH
                || mem.bufferBytes(bi) - mem.dataOffset(bi) < ADVERTISEMENT_IP_LENGTH) {
            return drop(Errors.NO_ROOM.ordinal());
        }
        advertise(mem, data, bi, rx, flags, targetHi, targetLo, dstHi, dstLo, dstMac);
        return Arcs.REPLY.ordinal();
    }

    /**
     * Rewrites the buffer, from its IPv6 header on, into our advertisement of the target
     * (section 7.2.4) and prepends the Ethernet header. Whatever followed the solicitation
     * (extension headers, options, link padding) is overwritten or cut off.
     */
    private static void advertise(PacketMemory mem, MemorySegment data, int bi, NetInterface rx, int flags,
            long targetHi, long targetLo, long dstHi, long dstLo, long dstMac) {
        long ip = mem.start(bi);
        NeighbourDiscovery.writeIp6Header(data, ip, targetHi, targetLo, dstHi, dstLo, ADVERTISEMENT_ICMP_LENGTH);
        long icmp = ip + Ip6.HEADER;
        data.set(Net.U32, icmp + Icmp6.TYPE, Icmp6.NEIGHBOR_ADVERTISEMENT << 24);
        data.set(Net.U32, icmp + NeighbourDiscovery.FLAGS, flags);
        data.set(Net.U64, icmp + NeighbourDiscovery.TARGET, targetHi);
        data.set(Net.U64, icmp + NeighbourDiscovery.TARGET + 8, targetLo);
        NeighbourDiscovery.writeLinkLayerOption(data, icmp + NeighbourDiscovery.OPTIONS,
                NeighbourDiscovery.TARGET_LINK_LAYER_ADDRESS, rx.mac());
        Icmp6.writeChecksum(data, ip, icmp, ADVERTISEMENT_ICMP_LENGTH);
        int offset = mem.dataOffset(bi);
        mem.length(bi, ADVERTISEMENT_IP_LENGTH);
        mem.l3Offset(bi, offset);
        mem.l4Offset(bi, offset + Ip6.HEADER);
        mem.gsoSize(bi, 0);
        mem.flags(bi, (mem.flags(bi) | PacketFlags.IP6) & ~REPLY_FLAGS_CLEARED);
        mem.push(bi, Ethernet.HEADER_LENGTH);
        NeighbourDiscovery.writeEthernetHeader(data, mem.start(bi), dstMac, rx.mac());
        mem.txInterface(bi, rx.index());
    }

    /** Sections 7.1.2 and 7.2.5; {@code mac} is the Target Link-Layer Address or {@link NeighbourDiscovery#NO_OPTION}. */
    private static int advertisement(NeighbourTable neighbours, long now, MemorySegment data, NetInterface rx, long ip,
            int flags, long targetHi, long targetLo, long mac) {
        boolean solicited = (flags & NeighbourDiscovery.SOLICITED) != 0;
        boolean override = (flags & NeighbourDiscovery.OVERRIDE) != 0;
        boolean hasMac = mac != NeighbourDiscovery.NO_OPTION;
        if (solicited && Ip6.isMulticast(data.get(Net.U64, ip + Ip6.DESTINATION))) {
            return drop(Errors.SOLICITED_TO_MULTICAST.ordinal());
        }
        if (hasMac && !usableMac(mac)) {
            return drop(Errors.BAD_MAC.ordinal());
        }
        // Someone else claims an address of ours (RFC 4862 section 5.4.4): never learn it.
        if (rx.owns6(targetHi, targetLo)) {
            return drop(Errors.DUPLICATE_ADDRESS.ordinal());
        }
        int itf = rx.index();
        NeighbourTable.State state = neighbours.state6(itf, targetHi, targetLo);
        if (state == null) {
            return drop(Errors.ADVERTISEMENT_UNKNOWN.ordinal());
        }
        if (state == NeighbourTable.State.PERMANENT) {
            return drop(Errors.ADVERTISEMENT_STATIC.ordinal());
        }
        if (state == NeighbourTable.State.INCOMPLETE) {
            if (!hasMac) {
                return drop(Errors.ADVERTISEMENT_NO_ADDRESS.ordinal());
            }
            return drop(neighbours.refresh6(itf, targetHi, targetLo, mac, now)
                    ? Errors.ADVERTISEMENT_LEARNED.ordinal() : Errors.ADVERTISEMENT_UNKNOWN.ordinal());
        }
        long known = neighbours.lookup6(itf, targetHi, targetLo);
        if (known == NeighbourTable.NONE) {
            // Aged out or evicted since the state was read.
            return drop(Errors.ADVERTISEMENT_UNKNOWN.ordinal());
        }
        boolean changed = hasMac && mac != known;
        if (changed && !override) {
            return drop(Errors.ADVERTISEMENT_NOT_OVERRIDING.ordinal());
        }
        if (!solicited && !changed) {
            return drop(Errors.ADVERTISEMENT_UNCHANGED.ordinal());
        }
        return drop(neighbours.refresh6(itf, targetHi, targetLo, changed ? mac : known, now)
                ? Errors.ADVERTISEMENT_REFRESHED.ordinal() : Errors.ADVERTISEMENT_UNKNOWN.ordinal());
    }

    /** RFC 1812 section 3.3.2: never believe a broadcast or multicast link-layer address for a host. */
    private static boolean usableMac(long mac) {
        return mac != 0 && !Ethernet.isMulticast(mac);
    }

    private static int drop(int error) {
        return -error - 1;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip6.HEADER) {
            return "truncated ip6 packet of " + mem.length(bi) + " bytes, rx " + mem.rxInterface(bi);
        }
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        int length = Math.min(mem.length(bi), Ip6.HEADER + mem.u16(bi, Ip6.PAYLOAD_LENGTH));
        String source = Prefixes.format6(data.get(Net.U64, ip + Ip6.SOURCE), data.get(Net.U64, ip + Ip6.SOURCE + 8));
        int walk = Ip6.walk(data, ip, length);
        if (walk < 0 || Ip6.walkNextHeader(walk) != IpProtocol.ICMP6 || Ip6.walkOffset(walk) + Icmp6.HEADER > length) {
            return "next header " + (walk < 0 ? "?" : Integer.toString(Ip6.walkNextHeader(walk))) + " from " + source
                    + ", rx " + mem.rxInterface(bi);
        }
        long icmp = ip + Ip6.walkOffset(walk);
        int type = Byte.toUnsignedInt(data.get(Net.U8, icmp));
        if ((type != Icmp6.NEIGHBOR_SOLICITATION && type != Icmp6.NEIGHBOR_ADVERTISEMENT)
                || icmp + NeighbourDiscovery.MESSAGE_LENGTH > ip + length) {
            return "icmp6 type " + type + " from " + source + ", rx " + mem.rxInterface(bi);
        }
        String target = Prefixes.format6(data.get(Net.U64, icmp + NeighbourDiscovery.TARGET),
                data.get(Net.U64, icmp + NeighbourDiscovery.TARGET + 8));
        if (type == Icmp6.NEIGHBOR_SOLICITATION) {
            return "neighbour solicitation who-has " + target + " tell " + source + ", hop limit "
                    + mem.u8(bi, Ip6.HOP_LIMIT) + ", rx " + mem.rxInterface(bi);
        }
        int flags = data.get(Net.U32, icmp + NeighbourDiscovery.FLAGS);
        return "neighbour advertisement " + target + " from " + source + " flags "
                + ((flags & NeighbourDiscovery.ROUTER) != 0 ? "R" : "-")
                + ((flags & NeighbourDiscovery.SOLICITED) != 0 ? "S" : "-")
                + ((flags & NeighbourDiscovery.OVERRIDE) != 0 ? "O" : "-")
                + ", hop limit " + mem.u8(bi, Ip6.HOP_LIMIT) + ", rx " + mem.rxInterface(bi);
    }
}
