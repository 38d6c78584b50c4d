package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.afpacket.PacketRing;
import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.stage.AvfPort;
import dev.cipherlane.avf.vfio.VfioDevice;
import dev.cipherlane.avf.vfio.VfioUnavailable;
import dev.cipherlane.avf.wire.AfPacketWire;
import dev.cipherlane.config.AvfUplinkSettings;
import dev.cipherlane.host.uplink.TakenUplink;
import java.io.IOException;

/**
 * uplink.driver = "avf": the VF the node drives, opened once the kernel interface is taken
 * over. With {@code device = "model"} it is the software model on that interface: one packet
 * socket (no fanout: the model is the only reader) as its wire, the interface's MAC as the
 * VF's default MAC (what {@code ip link set <pf> vf N mac} gives a VF), and the PF granting
 * what uplink.avf asks. A PCI address opens the VF through VFIO ({@code VfioDevice}).
 * Worker 0 drives it ({@link AvfPort}).
 */
final class AvfUplink {
    /** The worker that owns the VF. */
    static final int OWNER = 0;
    /** Ethernet header and one 802.1Q tag (IEEE 802.1Q-2018 9.3) around the MTU. */
    private static final int FRAME_OVERHEAD = 18;

    private AvfUplink() {}

    static AvfPort open(AvfUplinkSettings avf, TakenUplink taken, int mtu, int ringSize) throws IOException {
        AvfSettings settings = AvfSettings.DEFAULT.withQueues(avf.queues())
                .withRings(avf.ringSize(), avf.ringSize(), AvfSettings.DEFAULT.rxBufferSize())
                .withMaxFrame(Math.min(ModelSettings.MAX_FRAME, mtu + FRAME_OVERHEAD))
                // Multicast too: IPv6 neighbour discovery goes to solicited-node groups.
                .withMac(null, true);
        String name = taken.uplink();
        if (!avf.model()) {
            VfioDevice device;
            try {
                device = VfioDevice.open(avf.device());
            } catch (VfioUnavailable e) {
                throw new IOException("uplink.avf.device = \"" + avf.device() + "\": " + e.getMessage(), e);
            }
            AvfPort port = AvfPort.onDevice(name, device, settings, OWNER, ringSize);
            port.start(System.nanoTime());
            return port;
        }
        PacketRing ring = PacketRing.open(taken.uplinkIndex(), UplinkPort.ringConfig(-1, true, mtu));
        AfPacketWire wire = new AfPacketWire(ring);
        try {
            ModelSettings model = new ModelSettings("avf-model-" + name, avf.queues(), taken.mac(),
                    ModelSettings.DEFAULT.resetNanos(), ModelSettings.DEFAULT.warningNanos(),
                    ModelSettings.DEFAULT.rxBudget(), ModelSettings.DEFAULT.txBudget(), ModelSettings.DEFAULT.pfVersion());
            AvfPort port = AvfPort.onModel(name, new AvfModel(wire, model), wire, settings, OWNER, ringSize);
            port.start(System.nanoTime());
            return port;
        } catch (RuntimeException e) {
            try {
                wire.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The packet socket under the model, whose fd wakes the owner, or null for hardware. */
    static PacketRing modelRing(AvfPort port) {
        return port.wire() instanceof AfPacketWire w ? w.ring() : null;
    }
}
