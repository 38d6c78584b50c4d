package dev.cipherlane.ipsec.ike.port;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.PuntQueue;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;

/**
 * {@code ike-input}: takes IKE out of the node's local traffic for the node's own IKE daemon,
 * before what is left goes to the kernel ({@code host-redirect}) or the control plane's punt.
 * IKE is UDP to port 500 (RFC 7296 section 2), or to port 4500 behind the four-byte non-ESP
 * marker (RFC 3948 section 2.2, RFC 7296 section 2.23), which {@code esp-decrypt} has already
 * told from ESP and sends here on its {@code ike} arc.
 *
 * <p>The packet starts at its IPv4 header, as {@code ip4-local} and {@code esp-decrypt} leave
 * it. IKE goes whole (IP and UDP headers included, so the daemon sees addresses and ports) to
 * the IKE queue; a full queue drops it, counted: IKE retransmits. Fragments go on to
 * {@code other}: IKE messages are kept below the path MTU, and reassembly is the kernel's
 * business, not the dataplane's.
 */
public final class IkeInput extends Stage<IkeInput.Params> {
    public static final String NAME = "ike-input";
    /** IKE's own port (RFC 7296 section 2). */
    public static final int IKE_PORT = 500;

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { OTHER }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        /** Counted, not dropped: what went to the IKE daemon. */
        IKE_RECEIVED("ike received"),
        QUEUE_FULL("ike queue full");

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

    /** @param queue where IKE datagrams go, the IKE daemon's */
    public record Params(PuntQueue queue) {}

    public IkeInput(PuntQueue queue) {
        super(SPEC, new Params(queue));
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.queue() == null) {
            throw new IllegalArgumentException(NAME + ": an IKE queue is required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PuntQueue q = params().queue();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            if (!isIke(mem, data, bi)) {
                ctx.enqueue(Arcs.OTHER, bi);
                continue;
            }
            // The IKE daemon owns it once offered.
            ctx.keep(bi);
            if (q.offer(bi)) {
                ctx.count(Errors.IKE_RECEIVED, 1);
            } else {
                ctx.drop(bi, Errors.QUEUE_FULL);
            }
        }
    }

    /** UDP to port 500, or to 4500 with the non-ESP marker, not fragmented. */
    static boolean isIke(PacketMemory mem, MemorySegment data, int bi) {
        if (mem.length(bi) < Ip4.MIN_HEADER) {
            return false;
        }
        long ip = mem.start(bi);
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL));
        if (versionIhl >>> 4 != 4 || Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL)) != IpProtocol.UDP
                || (data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
            return false;
        }
        int headerLength = (versionIhl & 0x0F) * 4;
        if (mem.length(bi) < headerLength + Udp.HEADER) {
            return false;
        }
        int port = Short.toUnsignedInt(data.get(Net.U16, ip + headerLength + 2));
        if (port == IKE_PORT) {
            return true;
        }
        return port == Udp.NAT_TRAVERSAL_PORT && mem.length(bi) >= headerLength + Udp.HEADER + 4
                && data.get(Net.U32, ip + headerLength + Udp.HEADER) == 0;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return isIke(mem, mem.data(), bi) ? "ike" : "not ike";
    }
}
