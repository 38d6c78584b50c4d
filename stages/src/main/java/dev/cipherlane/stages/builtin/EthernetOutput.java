package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;

/**
 * {@code ethernet-output}: the last check on frames the dataplane made itself (ARP replies
 * and requests, control-plane injections) before the interface's tx stage. Such a frame
 * already carries its complete Ethernet header and its {@code txInterface}; this stage
 * refuses what the interface could not send: a frame shorter than an Ethernet header, an
 * interface that is gone, or a payload larger than the interface MTU (the MTU counts L3
 * bytes, RFC 894, so the 14 header bytes are not part of it).
 *
 * <p>Forwarded IP traffic does not come here: the IP rewrite stage writes the adjacency's
 * L2 header and checks the MTU itself.
 */
public final class EthernetOutput extends EthernetStage {
    public static final String NAME = "ethernet-output";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { TX }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("runt frame"),
        UNKNOWN_INTERFACE("unknown interface"),
        MTU_EXCEEDED("mtu exceeded");

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

    public EthernetOutput(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        InterfaceTable interfaces = params().interfaces();
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int length = mem.length(bi);
            if (length < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.RUNT);
                continue;
            }
            NetInterface tx = interfaces.get(mem.txInterface(bi));
            if (tx == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            if (length - Ethernet.HEADER_LENGTH > tx.mtu()) {
                ctx.drop(bi, Errors.MTU_EXCEEDED);
                continue;
            }
            ctx.enqueue(Arcs.TX, bi);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ethernet.HEADER_LENGTH) {
            return "runt frame of " + mem.length(bi) + " bytes, tx " + mem.txInterface(bi);
        }
        return Ethernet.formatHeader(mem.data(), mem.start(bi)) + ", " + mem.length(bi) + " bytes, tx "
                + mem.txInterface(bi);
    }
}
