package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.AfPacketInput;
import dev.cipherlane.afpacket.AfPacketOutput;
import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.avf.stage.AvfInput;
import dev.cipherlane.avf.stage.AvfOutput;
import dev.cipherlane.avf.stage.AvfPort;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.ring.RingInput;
import java.util.List;
import java.util.Map;

/**
 * The uplink's stages in the graph, by uplink.driver: an {@code afpacket-input} per worker
 * on its own ring and one {@code afpacket-output}; or, for a VF, {@code avf-input} (polled
 * by the owner alone), {@code avf-output}, and the owner's {@code avf-handoff-<name>} input
 * that brings it what the other workers send. Either way received frames go to
 * {@code ethernet-input}; the output stage's name is what interface-output sends the
 * uplink's packets to.
 */
final class UplinkWiring {
    private UplinkWiring() {}

    /**
     * Adds the stages, and to {@code fdsByWorker} the fds each worker sleeps on; returns the
     * name of the output stage.
     */
    static String add(Graph.Builder b, UplinkPort port, UplinkInterface up, int workers,
                      List<List<Integer>> fdsByWorker) {
        if (port.vf().isPresent()) {
            AvfPort vf = port.vf().get();
            AvfInput in = new AvfInput(new AvfInput.Params(vf, up.index()));
            b.add(in).connect(in.name(), "ethernet-input", EthernetInput.NAME);
            RingInput handoff = new RingInput(vf.handoff().name(), new RingInput.Params(vf.handoff(), vf.worker()));
            b.add(handoff).connect(handoff.name(), "next", AvfOutput.NAME);
            b.add(new AvfOutput(AvfOutput.Params.of(Map.of(up.index(), vf))));
            PacketRing wire = AvfUplink.modelRing(vf);
            if (wire != null) {
                // Frames for the model wake its owner; hardware would raise an interrupt.
                fdsByWorker.get(vf.worker()).add(wire.fd());
            }
            return AvfOutput.NAME;
        }
        for (int w = 0; w < workers; w++) {
            PacketRing ring = port.ring(w);
            AfPacketInput in = new AfPacketInput(new AfPacketInput.Params(ring, up.index(), up.name(), w, w));
            b.add(in).connect(in.name(), "ethernet-input", EthernetInput.NAME);
            fdsByWorker.get(w).add(ring.fd());
        }
        b.add(new AfPacketOutput(AfPacketOutput.Params.of(Map.of(up.index(), port.rings()))));
        return AfPacketOutput.NAME;
    }
}
