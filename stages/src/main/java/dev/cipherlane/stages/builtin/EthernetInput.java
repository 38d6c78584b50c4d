package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
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
import java.lang.foreign.MemorySegment;

/**
 * {@code ethernet-input}: the first stage after an interface's rx. Accepts a frame when its
 * destination is the rx interface's MAC, broadcast or a multicast group, and sends it on by
 * EtherType to {@code ip4}, {@code ip6} or {@code arp}.
 *
 * <p><b>The Ethernet header is stripped here.</b> Unlike VPP, where the buffer's current data
 * keeps pointing at L2 and later nodes advance past it, this stage moves the data offset past
 * the 14 header bytes, so every stage behind it sees its L3 header at packet offset 0. The
 * header bytes stay in the headroom untouched (ARP reads nothing from them but rebuilds its
 * reply there). {@code l3Offset} is set to the L3 header's offset from the buffer base, which
 * after the strip equals the new data offset.
 *
 * <p>802.1Q/802.1ad tagged frames are dropped: interfaces are untagged (taps and the uplink's
 * native VLAN) and there are no VLAN sub-interfaces to deliver them to. Promiscuous
 * interfaces do not exist either: a frame for another unicast MAC is dropped.
 */
public final class EthernetInput extends EthernetStage {
    public static final String NAME = "ethernet-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { IP4, IP6, ARP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("runt frame"),
        UNKNOWN_INTERFACE("unknown interface"),
        NOT_FOR_US("not for us"),
        VLAN_TAGGED("vlan tagged frame"),
        UNKNOWN_ETHERTYPE("unknown ethertype");

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

    public EthernetInput(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        InterfaceTable interfaces = params().interfaces();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            if (mem.length(bi) < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.RUNT);
                continue;
            }
            NetInterface rx = interfaces.get(mem.rxInterface(bi));
            if (rx == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            long p = mem.start(bi);
            long dst = Ethernet.readMac(data, p + Ethernet.DESTINATION);
            // Group addresses (broadcast included) are for every station on the link.
            if (dst != rx.mac() && !Ethernet.isMulticast(dst)) {
                ctx.drop(bi, Errors.NOT_FOR_US);
                continue;
            }
            int arc;
            switch (Short.toUnsignedInt(data.get(Net.U16, p + Ethernet.ETHERTYPE))) {
                case Ethernet.ETHERTYPE_IP4 -> {
                    arc = Arcs.IP4.ordinal();
                    mem.clearFlag(bi, PacketFlags.IP6);
                }
                case Ethernet.ETHERTYPE_IP6 -> {
                    arc = Arcs.IP6.ordinal();
                    mem.setFlag(bi, PacketFlags.IP6);
                }
                case Ethernet.ETHERTYPE_ARP -> arc = Arcs.ARP.ordinal();
                case Ethernet.ETHERTYPE_VLAN, Ethernet.ETHERTYPE_QINQ -> {
                    ctx.drop(bi, Errors.VLAN_TAGGED);
                    continue;
                }
                // Values below 0x0600 are 802.3 lengths (LLC frames): unknown to us as well.
                default -> {
                    ctx.drop(bi, Errors.UNKNOWN_ETHERTYPE);
                    continue;
                }
            }
            mem.push(bi, -Ethernet.HEADER_LENGTH);
            mem.l3Offset(bi, mem.dataOffset(bi));
            ctx.enqueue(arc, bi);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ethernet.HEADER_LENGTH) {
            return "runt frame of " + mem.length(bi) + " bytes, rx " + mem.rxInterface(bi);
        }
        return Ethernet.formatHeader(mem.data(), mem.start(bi)) + ", rx " + mem.rxInterface(bi);
    }
}
