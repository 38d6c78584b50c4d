package dev.cipherlane.stages.tunnel;

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
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Takes the inner packet out of an IPIP packet addressed to us (RFC 2003 section 3, RFC 4213
 * section 3.6) and sends it to {@code ip4-input} or {@code ip6-input}, which validate it as if
 * it had arrived on a link. The packet starts at the outer IPv4 header, already validated by
 * {@code ip4-input} (checksum, version, lengths against the buffer) and found local by the
 * lookup; this stage re-checks only what it relies on, so a miswired graph drops instead of
 * reading garbage.
 *
 * <p>Only known tunnels are decapsulated: the outer (source, destination) must be a tunnel's
 * (remote, local). RFC 4213 section 3.6 asks decapsulators to refuse packets from sources they
 * have no tunnel with, or anyone could inject traffic into the pod network by wrapping it. The
 * inner version must match the outer protocol (4 for IPv4, 41 for IPv6). Outer fragments are
 * dropped: the encapsulator sets DF and this dataplane does not reassemble.
 *
 * <p>ECN follows RFC 6040 section 4.2 ({@link TunnelHeader#decapsulatedEcn}); a changed inner
 * IPv4 TOS gets its header checksum updated incrementally (RFC 1624 equation 3). Nothing else of
 * the inner header changes: the inner TTL is the inner network's, decremented when the inner
 * packet is forwarded.
 *
 * <p>On the way out: the packet starts at the inner header, its length is the outer total length
 * minus the outer header (link padding removed), the IP6 flag says the inner family, the LOCAL
 * flag (set for the outer packet) is cleared, {@code l3Offset} is at the inner header. The rx
 * interface stays the underlay interface the outer packet came in on; the DECAPSULATED flag and
 * the tunnel index in the opaque word say it came through a tunnel.
 */
public final class TunnelDecap extends Stage<TunnelDecap.Params> {
    public static final String NAME = "ipip-decap";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { IP4, IP6 }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        OUTER_RUNT("outer ip4 runt"),
        OUTER_BAD_HEADER("outer ip4 bad header"),
        OUTER_LENGTH_MISMATCH("outer ip4 length mismatch"),
        OUTER_FRAGMENT("outer ip4 fragment"),
        NOT_IPIP("not an ipip packet"),
        UNKNOWN_TUNNEL("unknown tunnel"),
        INNER_RUNT("inner packet runt"),
        INNER_VERSION_MISMATCH("inner version does not match outer protocol"),
        ECN_DECAP_ERROR("ecn decap error"),
        UNPROTECTED("clear packet on protected tunnel");

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

    private static final int IP6_ECN_SHIFT = 20;

    /**
     * @param tunnels  the current tunnel snapshot; read once per frame
     * @param counters per-tunnel counters, or null for none
     */
    public record Params(Supplier<TunnelTable.Snapshot> tunnels, TunnelCounters counters) {
        public Params(Supplier<TunnelTable.Snapshot> tunnels) {
            this(tunnels, null);
        }
    }

    public TunnelDecap(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.tunnels() == null) {
            throw new IllegalArgumentException(NAME + ": a tunnel snapshot supplier is required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        TunnelTable.Snapshot tunnels = params().tunnels().get();
        TunnelCounters counters = params().counters();
        int worker = ctx.worker();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int length = mem.length(bi);
            int arc = decapsulate(tunnels, mem, data, bi);
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                if (counters != null) {
                    counters.received(worker, mem.opaque(bi), length);
                }
                ctx.enqueue(arc, bi);
            }
        }
    }

    /** Decapsulates one packet; returns its arc, or {@code -1 - error} to drop it. */
    private static int decapsulate(TunnelTable.Snapshot tunnels, PacketMemory mem, MemorySegment data, int bi) {
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return -1 - Errors.OUTER_RUNT.ordinal();
        }
        long outer = mem.start(bi);
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, outer + Ip4.VERSION_IHL));
        int headerLength = (versionIhl & 0x0F) * 4;
        if (versionIhl >>> 4 != 4 || headerLength < Ip4.MIN_HEADER) {
            return -1 - Errors.OUTER_BAD_HEADER.ordinal();
        }
        int totalLength = Short.toUnsignedInt(data.get(Net.U16, outer + Ip4.TOTAL_LENGTH));
        if (totalLength > length || totalLength < headerLength) {
            return -1 - Errors.OUTER_LENGTH_MISMATCH.ordinal();
        }
        if ((data.get(Net.U16, outer + Ip4.FLAGS_FRAGMENT) & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
            return -1 - Errors.OUTER_FRAGMENT.ordinal();
        }
        int protocol = Byte.toUnsignedInt(data.get(Net.U8, outer + Ip4.PROTOCOL));
        if (!TunnelHeader.isIpip(protocol)) {
            return -1 - Errors.NOT_IPIP.ordinal();
        }
        int tunnel = tunnels.find(data.get(Net.U32, outer + Ip4.SOURCE), data.get(Net.U32, outer + Ip4.DESTINATION));
        if (tunnel == TunnelTable.Snapshot.NOT_FOUND) {
            return -1 - Errors.UNKNOWN_TUNNEL.ordinal();
        }
        // A protected tunnel takes only what one of its inbound SAs decrypted (esp-decrypt sets
        // saIndex): an IPIP packet in clear, or one decrypted by another tunnel's SA, is forged.
        if (tunnels.isProtected(tunnel) && !tunnels.acceptsSa(tunnel, mem.saIndex(bi))) {
            return -1 - Errors.UNPROTECTED.ordinal();
        }
        int innerLength = totalLength - headerLength;
        long inner = outer + headerLength;
        boolean ip6 = protocol == IpProtocol.IPIP6;
        if (innerLength < (ip6 ? Ip6.HEADER : Ip4.MIN_HEADER)) {
            return -1 - Errors.INNER_RUNT.ordinal();
        }
        int innerVersion = Byte.toUnsignedInt(data.get(Net.U8, inner)) >>> 4;
        if (innerVersion != (ip6 ? 6 : 4)) {
            return -1 - Errors.INNER_VERSION_MISMATCH.ordinal();
        }
        int outerEcn = Byte.toUnsignedInt(data.get(Net.U8, outer + Ip4.TOS)) & TunnelHeader.ECN_MASK;
        if (!applyEcn(data, inner, ip6, outerEcn)) {
            return -1 - Errors.ECN_DECAP_ERROR.ordinal();
        }
        mem.push(bi, -headerLength);
        mem.length(bi, innerLength);
        mem.l3Offset(bi, mem.dataOffset(bi));
        mem.clearFlag(bi, PacketFlags.LOCAL);
        // The tunnel, for the counters and, with DECAPSULATED, for the lookup: the inner packet
        // must come from this tunnel's peer's pods and go to ours (RFC 4301 section 5.2).
        mem.opaque(bi, tunnel);
        mem.setFlag(bi, PacketFlags.DECAPSULATED);
        if (ip6) {
            mem.setFlag(bi, PacketFlags.IP6);
            return Arcs.IP6.ordinal();
        }
        mem.clearFlag(bi, PacketFlags.IP6);
        return Arcs.IP4.ordinal();
    }

    /** Writes the RFC 6040 inner ECN; false when the table says drop. */
    private static boolean applyEcn(MemorySegment data, long inner, boolean ip6, int outerEcn) {
        if (ip6) {
            int first = data.get(Net.U32, inner + Ip6.VERSION_CLASS_FLOW);
            int innerEcn = (first >>> IP6_ECN_SHIFT) & TunnelHeader.ECN_MASK;
            int ecn = TunnelHeader.decapsulatedEcn(innerEcn, outerEcn);
            if (ecn == TunnelHeader.ECN_DROP) {
                return false;
            }
            if (ecn != innerEcn) {
                int updated = (first & ~(TunnelHeader.ECN_MASK << IP6_ECN_SHIFT)) | (ecn << IP6_ECN_SHIFT);
                data.set(Net.U32, inner + Ip6.VERSION_CLASS_FLOW, updated);
            }
            return true;
        }
        int word = Short.toUnsignedInt(data.get(Net.U16, inner + Ip4.VERSION_IHL));
        int innerEcn = word & TunnelHeader.ECN_MASK;
        int ecn = TunnelHeader.decapsulatedEcn(innerEcn, outerEcn);
        if (ecn == TunnelHeader.ECN_DROP) {
            return false;
        }
        if (ecn != innerEcn) {
            int updated = (word & ~TunnelHeader.ECN_MASK) | ecn;
            data.set(Net.U16, inner + Ip4.VERSION_IHL, (short) updated);
            int checksum = Short.toUnsignedInt(data.get(Net.U16, inner + Ip4.CHECKSUM));
            data.set(Net.U16, inner + Ip4.CHECKSUM, (short) Checksum.update(checksum, word, updated));
        }
        return true;
    }

    /** Traced on entry: the outer header that names the tunnel. */
    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip4.MIN_HEADER) {
            return "runt, length " + mem.length(bi);
        }
        return "outer " + Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> "
                + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION)) + " proto " + mem.u8(bi, Ip4.PROTOCOL)
                + " tos 0x" + Integer.toHexString(mem.u8(bi, Ip4.TOS)) + " length " + mem.length(bi);
    }
}
